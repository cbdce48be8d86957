"""``Map``: the set of rules an app matches requests against and builds URLs from."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from ..http.exceptions import MethodNotAllowed, NotFound, RequestRedirect
from .converters import DEFAULT_CONVERTERS, PATH_SAFE, BaseConverter
from .matcher import Node, insert, search
from .rules import Rule

__all__ = ["BuildError", "Map"]

_SLASHES = re.compile("/{2,}")


class BuildError(LookupError):
    """No rule of ``endpoint`` can be built with these values (and method)."""

    def __init__(
        self,
        endpoint: str,
        values: Mapping[str, Any] | None,
        method: str | None,
        map: Map | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.values = dict(values or {})
        self.method = method
        super().__init__(_build_error_message(endpoint, self.values, method, map))


def _build_error_message(
    endpoint: str, values: dict[str, Any], method: str | None, map: Map | None
) -> str:
    given = sorted(key for key, value in values.items() if value is not None)
    message = f"Could not build url for endpoint {endpoint!r}"
    if method is not None:
        message += f" ({method!r})"
    if given:
        message += f" with values {given!r}"
    message += "."
    if map is None:
        return message
    rules = list(map.iter_rules(endpoint))
    if not rules:
        close = difflib.get_close_matches(endpoint, map.endpoints, n=1)
        if close:
            return message + f" Did you mean {close[0]!r} instead?"
        return message + f" No rule has the endpoint {endpoint!r}."
    by_method = [rule for rule in rules if rule.allows(method)]
    if not by_method:
        methods = sorted({m for rule in rules for m in rule.methods or ()})
        return message + f" Did you mean to use methods {methods!r}?"
    present = set(given)

    def missing(rule: Rule) -> set[str]:
        """The values ``rule`` needs that were not given."""
        return set(rule.arguments - (rule.defaults or {}).keys() - present)

    best = min(by_method, key=lambda rule: len(missing(rule)))
    lacking = missing(best)
    if lacking:
        return message + f" Did you forget to specify values {sorted(lacking)!r}?"
    clashes = [
        f"{key}={default!r} (got {values[key]!r})"
        for key, default in (best.defaults or {}).items()
        if key in values and values[key] != default
    ]
    if clashes:
        return message + f" The rule {best.rule!r} has defaults {', '.join(clashes)}."
    return message


def _build_order(rule: Rule) -> tuple[int, int]:
    """Rules that use more values are tried first when building (as in Werkzeug)."""
    return -len(rule.arguments), -len(rule.defaults or ())


class Map:
    """The rules of an app: ``add`` them, then ``match`` paths and ``build`` URLs."""

    def __init__(
        self,
        rules: Iterable[Rule] = (),
        strict_slashes: bool = True,
        converters: Mapping[str, type[BaseConverter]] | None = None,
        merge_slashes: bool = True,
        redirect_defaults: bool = True,
    ) -> None:
        self.converters: dict[str, type[BaseConverter]] = dict(DEFAULT_CONVERTERS)
        if converters:
            self.converters.update(converters)
        self.strict_slashes = strict_slashes
        self.merge_slashes = merge_slashes
        self.redirect_defaults = redirect_defaults
        self._rules: list[Rule] = []
        self._by_endpoint: dict[str, list[Rule]] = {}
        self._static: dict[str, list[Rule]] = {}
        self._root = Node()
        for rule in rules:
            self.add(rule)

    # Registration ------------------------------------------------------------------------------

    def add(self, rule: Rule) -> None:
        """Bind and compile ``rule`` now; ``ValueError`` for a malformed rule or converter."""
        rule.bind(self)
        if not rule.build_only:
            insert(self._root, rule, len(self._rules))
            if rule.is_static:
                self._static.setdefault(rule.rule, []).append(rule)
        self._rules.append(rule)
        siblings = self._by_endpoint.setdefault(rule.endpoint, [])
        siblings.append(rule)
        siblings.sort(key=_build_order)  # stable: registration order breaks ties
        for index, sibling in enumerate(siblings):
            sibling.default_providers = tuple(
                other
                for other in siblings[:index]
                if other.defaults and not other.build_only and other.arguments == sibling.arguments
            )

    def iter_rules(self, endpoint: str | None = None) -> Iterator[Rule]:
        """The rules in registration order, or those of ``endpoint`` in build order."""
        if endpoint is None:
            return iter(self._rules)
        return iter(self._by_endpoint.get(endpoint, ()))

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, endpoint: object) -> bool:
        return endpoint in self._by_endpoint

    @property
    def endpoints(self) -> list[str]:
        """The endpoints with at least one rule, in registration order."""
        return list(self._by_endpoint)

    # Matching ----------------------------------------------------------------------------------

    def match(self, path: str, method: str) -> tuple[Rule, dict[str, Any]]:
        """The rule and values for a decoded ``path``; raises 404, 405 or a 308 redirect."""
        candidates = self._static.get(path)
        if candidates is not None:
            for rule in candidates:
                methods = rule.methods
                if methods is None or method in methods:
                    if rule.default_providers and self.redirect_defaults:
                        break
                    defaults = rule.defaults
                    return rule, (dict(defaults) if defaults else {})
        if not path.startswith("/"):
            path = "/" + path
        elif path.startswith("//"):  # Werkzeug ignores extra leading slashes
            path = "/" + path.lstrip("/")
        allowed: list[frozenset[str]] = []
        found = search(self._root, path.split("/"), 1, method, [], allowed)
        if found is None:
            if self.merge_slashes and "//" in path:
                self._redirect_merged(path, method)
            if allowed:
                raise MethodNotAllowed(valid_methods=frozenset().union(*allowed))
            raise NotFound()
        matched, values = found
        if matched is None:
            raise RequestRedirect(quote(path + "/", safe=PATH_SAFE))
        if matched.default_providers and self.redirect_defaults:
            for provider in matched.default_providers:
                if provider.suitable_for(values, method):
                    raise RequestRedirect(provider.build({**values, **(provider.defaults or {})}))
        return matched, values

    def _redirect_merged(self, path: str, method: str) -> None:
        """Redirect ``/a//b`` to ``/a/b`` when that matches (raise), else return."""
        merged = _SLASHES.sub("/", path)
        found = search(self._root, merged.split("/"), 1, method, [], [])
        if found is None:
            return
        rule = found[0]
        if rule is None:
            merged += "/"
        elif not rule.merge_slashes:
            return
        raise RequestRedirect(quote(merged, safe=PATH_SAFE))

    def allowed_methods(self, path: str) -> set[str]:
        """The methods some rule allows for ``path`` (empty when none names its methods)."""
        try:
            self.match(path, "\x00")
        except MethodNotAllowed as error:
            return set(error.valid_methods or ())
        except (NotFound, RequestRedirect):
            pass
        return set()

    # Building ----------------------------------------------------------------------------------

    def build(
        self,
        endpoint: str,
        values: Mapping[str, Any] | None = None,
        method: str | None = None,
        append_unknown: bool = True,
    ) -> str:
        """The path (and ``?query`` of extra values) for ``endpoint``; ``BuildError`` if none."""
        rules = self._by_endpoint.get(endpoint)
        if rules:
            if values:
                clean = {key: value for key, value in values.items() if value is not None}
            else:
                clean = {}
            for rule in rules:
                if rule.suitable_for(clean, method):
                    return rule.build(clean, append_unknown)
        raise BuildError(endpoint, values, method, self)

    def __repr__(self) -> str:
        return f"<Map {len(self._rules)} rules>"
