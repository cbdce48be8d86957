"""Rules: the rule-string grammar, the ``Rule`` object, and building a URL from one rule.

A rule string is static text with variables: ``<name>``, ``<conv:name>`` or
``<conv(args):name>``, where ``args`` reads like call arguments made of literals:
``<int(min=1, max=9):n>``, ``<any(en, 'pt br'):lang>`` (bare words are strings). ``Rule``
parses the string when it is created (a malformed rule fails at once with ``ValueError``);
``Map.add`` binds it: it looks the converters up and instantiates them, and precomputes the
build plan, so building a URL is a loop over a tuple.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

from ..http.websocket import WEBSOCKET_METHOD
from .converters import BaseConverter, ForeignConverter

if TYPE_CHECKING:
    from .map import Map

__all__ = [
    "Part",
    "Rule",
    "UnknownConverterError",
    "Variable",
    "encode_query",
    "parse_converter_args",
    "parse_domain",
    "parse_rule",
]

_VARIABLE = re.compile(
    r"<(?:(?P<converter>[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<args>.*?)\))?:)?"
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)>"
)
_ARGUMENT = re.compile(
    r"""\s*(?:(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*)?"""
    r"""(?:'(?P<single>[^']*)'|"(?P<double>[^"]*)"|(?P<bare>[\w.+-]+))\s*(?P<end>,|$)"""
)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]+)")
_REDIRECT_VARIABLE = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")
_CONSTANTS: dict[str, Any] = {"True": True, "False": False, "None": None}
#: Query-string characters left unquoted (Werkzeug's set; space becomes '+').
_QUERY_SAFE = "!$'()*,/:;?@"
_QUERY_PLAIN = re.compile(r"[A-Za-z0-9_.~!$'()*,/:;?@-]*")


class UnknownConverterError(ValueError, LookupError):
    """A rule names a converter its map does not know (a ``LookupError`` too, as in Werkzeug)."""


@dataclass(frozen=True, slots=True)
class Variable:
    """One ``<converter(args):name>`` in a rule string, as written."""

    name: str
    converter: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]


Part = str | Variable


def _literal(bare: str) -> Any:
    if bare in _CONSTANTS:
        return _CONSTANTS[bare]
    if _INTEGER.fullmatch(bare):
        return int(bare)
    if _FLOAT.fullmatch(bare):
        return float(bare)
    return bare


def parse_converter_args(text: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Parse ``min=1, max=9`` or ``en, 'pt br'`` into positional and keyword arguments."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    if not text.strip():
        return (), kwargs
    pos = 0
    while pos < len(text):
        found = _ARGUMENT.match(text, pos)
        if found is None or found.end() == pos:
            raise ValueError(f"cannot parse converter arguments {text!r} at {text[pos:]!r}")
        pos = found.end()
        if found["end"] == "," and pos == len(text):
            raise ValueError(f"converter arguments {text!r} end with a comma")
        if found["bare"] is not None:
            value = _literal(found["bare"])
        else:
            value = found["single"] if found["single"] is not None else found["double"]
        key = found["key"]
        if key is None:
            if kwargs:
                raise ValueError(f"positional converter argument after a keyword in {text!r}")
            args.append(value)
        elif key in kwargs:
            raise ValueError(f"converter argument {key!r} given twice in {text!r}")
        else:
            kwargs[key] = value
    return tuple(args), kwargs


def parse_rule(rule: str) -> list[Part]:
    """Split a rule string into static text and ``Variable`` parts; ``ValueError`` if malformed."""
    if not rule.startswith("/"):
        raise ValueError(f"URL rule {rule!r} must start with a slash.")
    return _parse_parts(rule)


def parse_domain(domain: str) -> list[Part]:
    """Split a host or subdomain pattern (``<user>.example.com``) like a rule string."""
    if "/" in domain:
        raise ValueError(f"host or subdomain {domain!r} may not contain a slash.")
    return _parse_parts(domain)


def _parse_parts(rule: str) -> list[Part]:
    parts: list[Part] = []
    names: set[str] = set()
    pos = 0
    for found in _VARIABLE.finditer(rule):
        _add_static(parts, rule, rule[pos : found.start()])
        name = found["name"]
        if name in names:
            raise ValueError(f"URL rule {rule!r} uses the variable name {name!r} twice.")
        names.add(name)
        args_text = found["args"]
        if args_text is None:
            args: tuple[Any, ...] = ()
            kwargs: dict[str, Any] = {}
        else:
            try:
                args, kwargs = parse_converter_args(args_text)
            except ValueError as error:
                raise ValueError(f"malformed URL rule {rule!r}: {error}") from None
        converter = found["converter"] or "default"
        parts.append(Variable(name, converter, args, tuple(sorted(kwargs.items()))))
        pos = found.end()
    _add_static(parts, rule, rule[pos:])
    return parts


def _add_static(parts: list[Part], rule: str, text: str) -> None:
    if "<" in text:
        raise ValueError(f"malformed URL rule {rule!r}: cannot parse {text[text.index('<') :]!r}")
    if text:
        parts.append(text)


def _quote_query(text: str) -> str:
    return text if _QUERY_PLAIN.fullmatch(text) else quote_plus(text, safe=_QUERY_SAFE)


def encode_query(values: Iterable[tuple[str, Any]]) -> str:
    """``a=1&b=x+y``: lists and tuples repeat the key, None is skipped, bytes are UTF-8."""
    pairs: list[str] = []
    for key, value in values:
        items = value if isinstance(value, list | tuple) else (value,)
        quoted_key = _quote_query(str(key))
        for item in items:
            if item is None:
                continue
            text = item.decode("utf-8") if isinstance(item, bytes) else str(item)
            pairs.append(f"{quoted_key}={_quote_query(text)}")
    return "&".join(pairs)


def _normalise_methods(methods: Iterable[str] | None) -> frozenset[str] | None:
    if methods is None:
        return None
    if isinstance(methods, str):
        raise TypeError(f"methods must be a list of strings, not the string {methods!r}")
    upper = {method.upper() for method in methods}
    if "GET" in upper:
        upper.add("HEAD")
    return frozenset(upper)


class Rule:
    """One URL rule: a rule string bound to an endpoint, the methods it allows, its defaults.

    ``subdomain`` (or ``host``, when the map matches whole hosts) is a pattern like the rule
    string, without slashes: ``<user>`` or ``<user>.example.com``; its variables are view
    arguments like the path's. ``redirect_to`` makes a match answer a 308 to that URL: a
    string in which ``<name>`` is replaced by the matched value, or a callable given the map
    and the values.
    """

    def __init__(
        self,
        rule: str,
        *,
        endpoint: str,
        methods: Iterable[str] | None = None,
        defaults: Mapping[str, Any] | None = None,
        strict_slashes: bool | None = None,
        merge_slashes: bool | None = None,
        build_only: bool = False,
        redirect_to: str | Callable[..., str] | None = None,
        host: str | None = None,
        subdomain: str | None = None,
        websocket: bool = False,
    ) -> None:
        if websocket:  # matched under a method of its own (http/websocket.py), never by HTTP
            if methods is not None and not set(methods) <= {"GET", "HEAD", "OPTIONS"}:
                raise ValueError(f"The websocket rule {rule!r} takes no HTTP methods.")
            methods = [WEBSOCKET_METHOD]
        self.rule = rule
        self.endpoint = endpoint
        self.methods = _normalise_methods(methods)
        self.defaults: dict[str, Any] | None = dict(defaults) if defaults else None
        self.strict_slashes = strict_slashes
        self.merge_slashes = merge_slashes
        self.build_only = build_only
        self.redirect_to = redirect_to
        self.host = host
        self.subdomain = subdomain
        self.websocket = websocket
        self.parts: tuple[Part, ...] = tuple(parse_rule(rule))
        #: Variable names in the order they appear; the matcher fills values in this order.
        self.names: tuple[str, ...] = tuple(p.name for p in self.parts if isinstance(p, Variable))
        #: The host or subdomain pattern this rule matches (set by ``bind``; "" for none).
        self.domain = ""
        self.domain_parts: tuple[Part, ...] = ()
        self.domain_names: tuple[str, ...] = ()
        self.arguments: frozenset[str] = frozenset(self.names).union(self.defaults or ())
        self.is_static = not self.names
        self.map: Map | None = None
        self.converters: dict[str, BaseConverter] = {}
        # Earlier rules of this endpoint whose defaults redirect a match of this rule to them
        # (Werkzeug's redirect_defaults); set by Map.add.
        self.default_providers: tuple[Rule, ...] = ()
        self._required: frozenset[str] = frozenset(self.names).difference(self.defaults or ())
        self._plan: tuple[str | tuple[str, BaseConverter], ...] = ()
        self._domain_plan: tuple[str | tuple[str, BaseConverter], ...] = ()

    def bind(self, map: Map) -> None:
        """Attach to ``map``: take its slash and domain settings, instantiate the converters."""
        if self.map is not None:
            raise ValueError(f"the rule {self.rule!r} is already added to a map")
        if self.strict_slashes is None:
            self.strict_slashes = map.strict_slashes
        if self.merge_slashes is None:
            self.merge_slashes = map.merge_slashes
        if self.subdomain is None:
            self.subdomain = map.default_subdomain
        domain = (self.host or "") if map.host_matching else self.subdomain
        self.domain = domain
        self.domain_parts = tuple(parse_domain(domain)) if domain else ()
        self.domain_names = tuple(p.name for p in self.domain_parts if isinstance(p, Variable))
        clash = set(self.domain_names).intersection(self.names)
        if clash:
            raise ValueError(f"URL rule {self.rule!r} uses {sorted(clash)!r} in path and host.")
        if self.domain_names:
            names = frozenset(self.names + self.domain_names)
            self.arguments = names.union(self.defaults or ())
            self._required = names.difference(self.defaults or ())
        self.converters = {}
        self._plan = self._make_plan(self.parts, map)
        self._domain_plan = self._make_plan(self.domain_parts, map)
        self.map = map

    def _make_plan(
        self, parts: Iterable[Part], map: Map
    ) -> tuple[str | tuple[str, BaseConverter], ...]:
        plan: list[str | tuple[str, BaseConverter]] = []
        for part in parts:
            if isinstance(part, str):
                plan.append(part)
                continue
            converter_class = map.converters.get(part.converter)
            if converter_class is None:
                raise UnknownConverterError(
                    f"URL rule {self.rule!r}: the converter {part.converter!r} does not exist"
                    f" (known: {', '.join(sorted(map.converters))})"
                )
            try:
                converter = converter_class(map, *part.args, **dict(part.kwargs))
            except TypeError as error:
                raise ValueError(f"URL rule {self.rule!r}: {error}") from None
            if not isinstance(converter, BaseConverter):  # e.g. one built on Werkzeug's
                converter = ForeignConverter(map, converter)
            self.converters[part.name] = converter
            plan.append((part.name, converter))
        return tuple(plan)

    def allows(self, method: str | None) -> bool:
        """Whether ``method`` may use this rule (None: any method)."""
        return method is None or self.methods is None or method in self.methods

    def suitable_for(self, values: Mapping[str, Any], method: str | None = None) -> bool:
        """Whether ``build`` can use this rule: method allowed, values given, defaults agree."""
        if not self.allows(method) or not values.keys() >= self._required:
            return False
        if self.defaults:
            for key, default in self.defaults.items():
                if key in values and values[key] != default:
                    return False
        return True

    def build(self, values: Mapping[str, Any], append_unknown: bool = True) -> str:
        """The path for ``values`` (None values removed first), plus ``?query`` for extra ones."""
        defaults = self.defaults or {}
        parts: list[str] = []
        for step in self._plan:  # PERF: inline, not _fill (url_for is called per link)
            if isinstance(step, str):
                parts.append(step)
            else:
                name, converter = step
                parts.append(converter.to_url(values[name] if name in values else defaults[name]))
        path = "".join(parts)
        if append_unknown and len(values) > len(self._required):
            arguments = self.arguments
            extra = [(key, value) for key, value in values.items() if key not in arguments]
            if extra:
                query = encode_query(extra)
                if query:
                    path = f"{path}?{query}"
        return path

    def build_domain(self, values: Mapping[str, Any]) -> str:
        """The host or subdomain for ``values`` ("" when the rule has none)."""
        defaults = self.defaults or {}
        parts: list[str] = []
        for step in self._domain_plan:
            if isinstance(step, str):
                parts.append(step)
            else:
                name, converter = step
                parts.append(converter.to_url(values[name] if name in values else defaults[name]))
        return "".join(parts)

    def redirect_target(self, values: Mapping[str, Any]) -> str:
        """Where ``redirect_to`` sends a match with ``values`` (relative to the script root)."""
        target = self.redirect_to
        assert target is not None
        if callable(target):
            return str(target(self.map, **values))
        return _REDIRECT_VARIABLE.sub(
            lambda found: self.converters[found["name"]].to_url(values[found["name"]]), target
        )

    def __repr__(self) -> str:
        methods = f" ({', '.join(sorted(self.methods))})" if self.methods else ""
        return f"<Rule {self.rule!r}{methods} -> {self.endpoint}>"
