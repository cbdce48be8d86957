"""``Map``: the set of rules an app matches requests against and builds URLs from."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from ..http.exceptions import MethodNotAllowed, NotFound, RequestRedirect
from .converters import DEFAULT_CONVERTERS, PATH_SAFE, BaseConverter, ValidationError
from .matcher import Found, Node, compile_parts, insert, search
from .rules import Rule

__all__ = ["BuildError", "Domain", "Map", "RuleRedirect"]

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


class RuleRedirect(RequestRedirect):
    """308 raised for a rule's ``redirect_to``: ``new_url`` may be relative or absolute."""


class Domain:
    """The rules of one host or subdomain pattern: a static index and a trie for the path."""

    __slots__ = ("converts", "key", "names", "pattern", "root", "static", "static_length")

    def __init__(self, rule: Rule) -> None:
        self.key = rule.domain
        self.static: dict[str, list[Rule]] = {}
        self.root = Node()
        self.names = rule.domain_names
        self.static_length = sum(len(p) for p in rule.domain_parts if isinstance(p, str))
        self.pattern: re.Pattern[str] | None = None
        self.converts: tuple[Any, ...] = ()
        if rule.domain_names:
            self.pattern = compile_parts(rule.domain_parts, rule)
            self.converts = tuple(rule.converters[n]._python_converter() for n in self.names)

    def values(self, domain: str) -> dict[str, Any] | None:
        """The converted variables of ``domain``, or None when it does not match."""
        if self.pattern is None:
            return {} if domain == self.key else None
        found = self.pattern.fullmatch(domain)
        if found is None:
            return None
        try:
            converted = [
                text if convert is None else convert(text)
                for text, convert in zip(found.groups(), self.converts, strict=False)
            ]
        except ValidationError:
            return None
        return dict(zip(self.names, converted, strict=False))


def _leading_slash(path: str) -> str:
    """The path with exactly one leading slash (Werkzeug ignores extra ones)."""
    if not path.startswith("/"):
        return "/" + path
    if path.startswith("//"):
        return "/" + path.lstrip("/")
    return path


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
        host_matching: bool = False,
        default_subdomain: str = "",
    ) -> None:
        self.converters: dict[str, type[BaseConverter]] = dict(DEFAULT_CONVERTERS)
        if converters:
            self.converters.update(converters)
        self.strict_slashes = strict_slashes
        self.merge_slashes = merge_slashes
        self.redirect_defaults = redirect_defaults
        #: Match rules by their ``host`` instead of their ``subdomain``.
        self.host_matching = host_matching
        #: The subdomain of rules that name none (read when a rule is added).
        self.default_subdomain = default_subdomain
        self._rules: list[Rule] = []
        self._by_endpoint: dict[str, list[Rule]] = {}
        #: Host or subdomain pattern -> its rules; literal ones are found by one lookup.
        self._domains: dict[str, Domain] = {}
        self._patterns: list[Domain] = []
        #: The one domain when all rules share it (the common case: one lookup less).
        self._only: Domain | None = None
        #: ``_only``'s static index (read first by ``match``), or None.
        self._static: dict[str, list[Rule]] | None = None
        self._has_domains = False
        for rule in rules:
            self.add(rule)

    # Registration ------------------------------------------------------------------------------

    def add(self, rule: Rule) -> None:
        """Bind and compile ``rule`` now; ``ValueError`` for a malformed rule or converter."""
        rule.bind(self)
        if rule.domain != self._default_key():
            self._has_domains = True
        if not rule.build_only:
            domain = self._domains.get(rule.domain)
            if domain is None:
                domain = self._domains[rule.domain] = Domain(rule)
                if domain.pattern is not None:  # the most literal text first, as in the trie
                    self._patterns.append(domain)
                    self._patterns.sort(key=lambda d: -d.static_length)
            single = len(self._domains) == 1 and domain.key == self._default_key()
            self._only = domain if single else None
            self._static = domain.static if single else None
            insert(domain.root, rule, len(self._rules))
            if rule.is_static and rule.redirect_to is None:
                domain.static.setdefault(rule.rule, []).append(rule)
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

    def _default_key(self) -> str:
        return "" if self.host_matching else self.default_subdomain

    def is_endpoint_expecting(self, endpoint: str, *arguments: str) -> bool:
        """Whether a rule of ``endpoint`` uses all of ``arguments`` (Werkzeug's method)."""
        wanted = set(arguments)
        return any(wanted <= rule.arguments for rule in self._by_endpoint.get(endpoint, ()))

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

    def match(
        self, path: str, method: str, domain: str | None = None
    ) -> tuple[Rule, dict[str, Any]]:
        """The rule and values for a decoded ``path``; raises 404, 405 or a 308 redirect.

        ``domain`` is the request's host (with ``host_matching``) or subdomain; None matches
        the rules of the default subdomain.
        """
        static = self._static
        if static is None or domain is not None:
            if domain is not None:
                return self._match_domain(path, method, domain)
            default = self._domains.get(self._default_key())
            if default is None:
                raise NotFound()
            return self._match_in(default, path, method, {})
        # PERF: the common case (one domain) reads a static rule here, with no further call
        candidates = static.get(path)
        if candidates is not None:
            for rule in candidates:
                methods = rule.methods
                if methods is None or method in methods:
                    if rule.default_providers and self.redirect_defaults:
                        break
                    defaults = rule.defaults
                    return rule, (dict(defaults) if defaults else {})
        only = self._only
        assert only is not None  # set with _static
        # PERF: the search is inline too; _resolve only for what is not a plain match (0.05 µs)
        if not path.startswith("/") or path.startswith("//"):
            path = _leading_slash(path)
        allowed: list[frozenset[str]] = []
        found = search(only.root, path.split("/"), 1, method, [], allowed)
        if found is not None:
            matched, values = found
            if (
                matched is not None
                and matched.redirect_to is None
                and not (matched.default_providers and self.redirect_defaults)
            ):
                return matched, values
        return self._resolve(only, path, method, found, allowed, None)

    def _match_domain(self, path: str, method: str, domain: str) -> tuple[Rule, dict[str, Any]]:
        """Try the literal domain, then each pattern that matches it (most literal text first)."""
        tried: list[tuple[Domain, dict[str, Any]]] = []
        literal = self._domains.get(domain)
        if literal is not None and literal.pattern is None:
            tried.append((literal, {}))
        for candidate in self._patterns:
            values = candidate.values(domain)
            if values is not None:
                tried.append((candidate, values))
        allowed: set[str] = set()
        for candidate, values in tried:
            try:
                return self._match_in(candidate, path, method, values)
            except MethodNotAllowed as error:
                allowed.update(error.valid_methods or ())
            except NotFound:
                pass
        if allowed:
            raise MethodNotAllowed(valid_methods=frozenset(allowed))
        raise NotFound()

    def _match_in(
        self, domain: Domain, path: str, method: str, domain_values: dict[str, Any]
    ) -> tuple[Rule, dict[str, Any]]:
        """Match ``path`` among ``domain``'s rules; ``domain_values`` came from the host."""
        candidates = domain.static.get(path)
        if candidates is not None:
            for rule in candidates:
                methods = rule.methods
                if methods is None or method in methods:
                    if rule.default_providers and self.redirect_defaults:
                        break
                    return rule, {**domain_values, **(rule.defaults or {})}
        return self._search_in(domain, path, method, domain_values)

    def _search_in(
        self, domain: Domain, path: str, method: str, domain_values: dict[str, Any] | None = None
    ) -> tuple[Rule, dict[str, Any]]:
        """The trie search, the slash redirects and ``redirect_to`` (no static shortcut)."""
        path = _leading_slash(path)
        allowed: list[frozenset[str]] = []
        found = search(domain.root, path.split("/"), 1, method, [], allowed)
        return self._resolve(domain, path, method, found, allowed, domain_values)

    def _resolve(
        self,
        domain: Domain,
        path: str,
        method: str,
        found: Found | None,
        allowed: list[frozenset[str]],
        domain_values: dict[str, Any] | None,
    ) -> tuple[Rule, dict[str, Any]]:
        """What a search result means: the match, or a 404, 405 or redirect to raise."""
        if found is None:
            if self.merge_slashes and "//" in path:
                self._redirect_merged(domain.root, path, method)
            if allowed:
                raise MethodNotAllowed(valid_methods=frozenset().union(*allowed))
            raise NotFound()
        matched, values = found
        if matched is None:
            raise RequestRedirect(quote(path + "/", safe=PATH_SAFE))
        if domain_values:  # under the path's values, and the defaults over both (Werkzeug)
            values = {**domain_values, **values, **(matched.defaults or {})}
        if matched.default_providers and self.redirect_defaults:
            for provider in matched.default_providers:
                if provider.suitable_for(values, method):
                    raise RequestRedirect(provider.build({**values, **(provider.defaults or {})}))
        if matched.redirect_to is not None:
            raise RuleRedirect(matched.redirect_target(values))
        return matched, values

    def _redirect_merged(self, root: Node, path: str, method: str) -> None:
        """Redirect ``/a//b`` to ``/a/b`` when that matches (raise), else return."""
        merged = _SLASHES.sub("/", path)
        found = search(root, merged.split("/"), 1, method, [], [])
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

    def build_with_domain(
        self, endpoint: str, values: Mapping[str, Any] | None = None, method: str | None = None
    ) -> tuple[str, str]:
        """Like ``build``, with the host or subdomain of the rule used ("" when it has none)."""
        rules = self._by_endpoint.get(endpoint)
        if rules:
            clean = {key: value for key, value in (values or {}).items() if value is not None}
            for rule in rules:
                if rule.suitable_for(clean, method):
                    return rule.build(clean), rule.build_domain(clean)
        raise BuildError(endpoint, values, method, self)

    @property
    def has_domains(self) -> bool:
        """Whether any rule names a host or a subdomain other than the default one."""
        return self.host_matching or self._has_domains

    def __repr__(self) -> str:
        return f"<Map {len(self._rules)} rules>"
