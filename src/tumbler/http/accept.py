"""Accept headers (RFC 9110 §12.5) and choosing the best of what the server offers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["Accept", "LanguageAccept", "MIMEAccept", "parse_accept"]

A = TypeVar("A", bound="Accept")


class Accept:
    """The client's values with their quality, best first; ``best_match`` picks an offer."""

    def __init__(self, values: Iterable[tuple[str, float]] | None = None) -> None:
        self.provided = values is not None
        items = list(values or ())
        # Stable sort: equal qualities keep the client's order.
        self._items: list[tuple[str, float]] = sorted(items, key=lambda item: -item[1])

    def _normalize(self, value: str) -> str:
        return value.lower()

    def _matches(self, offer: str, client: str) -> bool:
        return client == "*" or self._normalize(offer) == self._normalize(client)

    def _specificity(self, client: str) -> int:
        return 0 if client == "*" else 1

    def __iter__(self) -> Iterator[tuple[str, float]]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self.quality(value) > 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"

    def values(self) -> list[str]:
        """The client's values, best first."""
        return [value for value, _ in self._items]

    def quality(self, offer: str) -> float:
        """The quality the client gives ``offer`` (0 when not acceptable)."""
        best, best_spec = 0.0, -1
        for client, quality in self._items:
            if self._matches(offer, client):
                spec = self._specificity(client)
                if spec > best_spec:
                    best, best_spec = quality, spec
        return best

    def best_match(self, matches: Iterable[str], default: str | None = None) -> str | None:
        """The offer the client prefers (first offer wins ties); ``default`` when none fits."""
        result, best_quality, best_spec = default, 0.0, -1
        for offer in matches:
            for client, quality in self._items:
                if quality <= 0 or not self._matches(offer, client):
                    continue
                spec = self._specificity(client)
                if quality > best_quality or (quality == best_quality and spec > best_spec):
                    result, best_quality, best_spec = offer, quality, spec
                break  # items are sorted: the first match is this offer's best
        return result

    @property
    def best(self) -> str | None:
        """The client's most preferred value."""
        return self._items[0][0] if self._items else None


class MIMEAccept(Accept):
    """The Accept header: ``type/subtype`` values with ``*`` wildcards."""

    def _normalize(self, value: str) -> str:
        return value.split(";", 1)[0].strip().lower()

    def _matches(self, offer: str, client: str) -> bool:
        client = self._normalize(client)
        offer = self._normalize(offer)
        if client in ("*", "*/*"):
            return True
        client_type, _, client_sub = client.partition("/")
        offer_type = offer.partition("/")[0]
        if client_sub == "*":
            return client_type == offer_type
        return client == offer

    def _specificity(self, client: str) -> int:
        client = self._normalize(client)
        if client in ("*", "*/*"):
            return 0
        return 1 if client.endswith("/*") else 2

    @property
    def accept_html(self) -> bool:
        """Whether the client takes HTML."""
        return "text/html" in self or "application/xhtml+xml" in self

    @property
    def accept_json(self) -> bool:
        """Whether the client takes JSON."""
        return "application/json" in self


class LanguageAccept(Accept):
    """Accept-Language: tags match case-insensitively, with primary-tag fallbacks."""

    def _normalize(self, value: str) -> str:
        return value.replace("_", "-").lower()

    def best_match(self, matches: Iterable[str], default: str | None = None) -> str | None:
        """Exact tags first; then the client's primary tags; then the offers' primary tags."""
        offers = list(matches)
        result = super().best_match(offers)
        if result is not None:
            return result
        primary_client = Accept([(value.split("-", 1)[0], q) for value, q in self])
        result = primary_client.best_match([o.replace("_", "-") for o in offers])
        if result is not None:
            return next(o for o in offers if o.replace("_", "-") == result)
        primaries = [o.replace("_", "-").split("-", 1)[0] for o in offers]
        result = super().best_match(primaries)
        if result is not None:
            return offers[primaries.index(result)]
        return default


def parse_accept(value: str | None, cls: type[A] = Accept) -> A:  # type: ignore[assignment]
    """Parse an Accept-style header; malformed entries are skipped, never raised."""
    if not value:
        return cls(None)
    items: list[tuple[str, float]] = []
    for part in value.split(","):
        item, _, params = part.partition(";")
        item = item.strip()
        if not item:
            continue
        quality = 1.0
        rest = []
        for param in params.split(";") if params else ():
            key, _, raw = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(raw.strip())
                except ValueError:
                    quality = -1.0
            elif param.strip():
                rest.append(param.strip())
        if not (0.0 <= quality <= 1.0) or math.isnan(quality):
            continue
        if rest and cls is MIMEAccept:
            item = item + ";" + ";".join(rest)
        items.append((item, quality))
    return cls(items)
