INSERT INTO user (username, password)
VALUES
  ('test', 'pbkdf2_sha256$1000$0011223344556677$8a55c7b03171ad440aa9652144ece763b5fa01507f7295198d30a333755a1ece'),
  ('other', 'pbkdf2_sha256$1000$8899aabbccddeeff$fbdb84c2fe1ed85cc89cea1da8a0fc4932fb5c2ce34de8f8926f14eafd38681f');

INSERT INTO post (title, body, author_id, created)
VALUES
  ('test title', 'test' || x'0a' || 'body', 1, '2026-01-01 00:00:00');
