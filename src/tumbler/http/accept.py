"""Accept headers (RFC 9110 §12.5) and choosing the best of what the server offers.

Theory of operation: every client entry has a quality and, for a given offer, a specificity
(``*`` < ``type/*`` < ``type/subtype``). An offer takes the quality of the most specific client
entry that matches it (RFC 9110 §12.5.1), and ``q=0`` means "not acceptable". ``best_match``
returns the offer with the highest quality, then the most specific match, then the earliest
offer. These rules reproduce Werkzeug's answers on the cases in ``tests/http/test_accept.py``.

Parsing never raises: an entry whose ``q`` is not a number between 0 and 1 is skipped, as
Werkzeug skips it. Differences from Werkzeug, all on purpose:

- ``q`` is read with ``float``, so ``q=.5`` counts (Werkzeug drops the entry);
- MIME parameters other than ``q`` are kept in the value but ignored for matching, so
  ``text/html;level=1`` accepts an offer of ``text/html`` (Werkzeug wants equal parameters);
- a bare ``*`` in Accept is read as ``*/*`` (Werkzeug matches nothing with it);
- ``value in accept`` is False for a value the client gave ``q=0`` (Werkzeug says True);
- an offer with a wildcard (``text/*``) only matches the same wildcard from the client.

A missing or empty header gives an empty ``Accept``: ``best_match`` returns ``default`` (None),
``bool()`` is False and nothing is ``in`` it, exactly as in Werkzeug and Flask.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from operator import itemgetter
from typing import TypeVar, overload

__all__ = ["Accept", "LanguageAccept", "MIMEAccept", "parse_accept"]

A = TypeVar("A", bound="Accept")


class Accept:
    """The client's values with their quality, best first; ``best_match`` picks an offer."""

    __slots__ = ("_items", "_keys")

    def __init__(self, values: Iterable[tuple[str, float]] | None = None) -> None:
        # Stable sort: equal qualities keep the client's order.
        self._items: list[tuple[str, float]] = sorted(values or (), key=itemgetter(1), reverse=True)
        self._keys = [(self._key(value), quality) for value, quality in self._items]

    # What subclasses change -------------------------------------------------------------------

    def _key(self, value: str) -> str:
        """The form values are compared in."""
        return value.strip().lower()

    def _specificity(self, offer: str, client: str) -> int:
        """How specifically the client entry matches the offer (both keys); -1: no match."""
        if client == offer:
            return 1
        return 0 if client == "*" else -1

    # Matching ---------------------------------------------------------------------------------

    def _rank(self, offer: str) -> tuple[float, int]:
        """(quality, specificity) of the most specific client entry matching the offer key."""
        best_quality, best_spec = 0.0, -1
        for client, quality in self._keys:
            spec = self._specificity(offer, client)
            if spec > best_spec:  # sorted by quality: the first at a level is its best
                best_quality, best_spec = quality, spec
        return best_quality, best_spec

    def quality(self, key: str) -> float:
        """The quality the client gives ``key`` (0 when not acceptable)."""
        return self._rank(self._key(key))[0]

    def best_match(self, matches: Iterable[str], default: str | None = None) -> str | None:
        """The offer the client prefers (earliest offer on a tie); ``default`` when none fits."""
        result, best_quality, best_spec = default, 0.0, -1
        for offer in matches:
            quality, spec = self._rank(self._key(offer))
            if quality > best_quality or (quality == best_quality > 0 and spec > best_spec):
                result, best_quality, best_spec = offer, quality, spec
        return result

    @property
    def best(self) -> str | None:
        """The client's most preferred value, or None for an empty header."""
        return self._items[0][0] if self._items else None

    def values(self) -> list[str]:
        """The client's values, best first."""
        return [value for value, _ in self._items]

    # Container protocol -----------------------------------------------------------------------

    @overload
    def __getitem__(self, key: int) -> tuple[str, float]: ...
    @overload
    def __getitem__(self, key: str) -> float: ...

    def __getitem__(self, key: int | str) -> tuple[str, float] | float:
        """An entry by position, or the quality of a value (as in Werkzeug)."""
        if isinstance(key, str):
            return self.quality(key)
        return self._items[key]

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self.quality(value) > 0

    def __iter__(self) -> Iterator[tuple[str, float]]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Accept):
            return self._items == other._items
        if isinstance(other, list):
            return self._items == other
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"


class MIMEAccept(Accept):
    """The Accept header: ``type/subtype`` values with ``*`` wildcards."""

    __slots__ = ()

    def _key(self, value: str) -> str:
        key = value.split(";", 1)[0].strip().lower()
        return "*/*" if key == "*" else key

    def _specificity(self, offer: str, client: str) -> int:
        if client == offer:
            return 0 if client == "*/*" else 2
        if client == "*/*":
            return 0
        if client.endswith("/*") and offer.startswith(client[:-1]):
            return 1
        return -1

    @property
    def accept_html(self) -> bool:
        """Whether the client takes HTML (or XHTML)."""
        return "text/html" in self or "application/xhtml+xml" in self

    @property
    def accept_xhtml(self) -> bool:
        """Whether the client takes XHTML."""
        return "application/xhtml+xml" in self

    @property
    def accept_json(self) -> bool:
        """Whether the client takes JSON."""
        return "application/json" in self


def _primary(tag: str) -> str:
    return tag.partition("-")[0]


class LanguageAccept(Accept):
    """Accept-Language: tags match case-insensitively, with primary-tag fallbacks."""

    __slots__ = ()

    def _key(self, value: str) -> str:
        return value.strip().replace("_", "-").lower()

    def best_match(self, matches: Iterable[str], default: str | None = None) -> str | None:
        """Exact tags first; then the client's primary tags; then the offers' primary tags.

        So ``en`` in the header picks an offer of ``en-US``, and ``en-US`` picks ``en``.
        """
        offers = list(matches)
        result = super().best_match(offers)
        if result is not None:
            return result
        # The client's tags cut to their primary subtag, matched exactly against the offers.
        fallback = Accept([(_primary(self._key(value)), q) for value, q in self._items])
        result = fallback.best_match(offers)
        if result is not None:
            return result
        # The offers cut to their primary subtag, matched against the client's tags.
        primaries = [_primary(self._key(offer)) for offer in offers]
        result = super().best_match(primaries)
        if result is not None:
            return offers[primaries.index(result)]
        return default


def _quality(params: str) -> tuple[float, list[str]]:
    """The q value of ``;``-separated parameters (NaN when malformed) and the other ones."""
    quality = 1.0
    rest = []
    for param in params.split(";"):
        name, _, raw = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(raw)
            except ValueError:
                quality = math.nan
        elif param.strip():
            rest.append(param.strip())
    return quality, rest


@overload
def parse_accept(value: str | None) -> Accept: ...
@overload
def parse_accept(value: str | None, cls: type[A]) -> A: ...


def parse_accept(value: str | None, cls: type[Accept] = Accept) -> Accept:
    """Parse an Accept-style header into ``cls``; malformed entries are skipped, never raised."""
    if not value:
        return cls()
    items: list[tuple[str, float]] = []
    for part in value.split(","):
        item, _, params = part.partition(";")
        item = item.strip()
        if not item:
            continue
        if not params:
            quality = 1.0
        else:
            params = params.strip()
            if params[:2] in ("q=", "Q=") and ";" not in params:  # PERF: the usual ";q=0.9"
                try:
                    quality = float(params[2:])
                except ValueError:
                    continue
            else:
                quality, rest = _quality(params)
                if rest:
                    item = "; ".join([item, *rest])
            if not 0.0 <= quality <= 1.0:  # also false for NaN
                continue
        items.append((item, quality))
    return cls(items)
