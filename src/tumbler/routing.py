"""URL rules: parsing, matching and building.

Theory of operation:

* A rule such as ``/users/<int:user_id>/edit`` is parsed once, in ``Map.add``, into static
  text and converter parts, and compiled into one anchored regular expression.
* Static rules (no converter) live in a dict keyed by the path: matching them is one lookup,
  whatever the number of routes.
* Dynamic rules are indexed by their *static prefix*: the text before the first converter,
  cut at the last ``/`` (``/users`` for the rule above). Matching a path looks up the
  prefixes of the path at each ``/`` (a handful of dict lookups for ordinary paths) and runs
  only the regexes of those buckets. Rules that share a prefix are tried in priority order.
  So a thousand rules with distinct prefixes cost about what ten do; a linear scan over
  every regex would not.
* Priority, as in Flask: compared segment by segment from the left, static text beats a
  converter, and a converter with a lower weight (more specific: int, uuid) beats one with a
  higher weight (string, then path).
* Methods: the first rule (by priority) that matches path *and* method wins. When some rule
  matched the path but none the method, ``MethodNotAllowed`` carries the union of their
  methods. ``HEAD`` is allowed wherever ``GET`` is.
* Trailing slashes: a rule ``/dir/`` asked for as ``/dir`` raises ``RequestRedirect`` to
  ``/dir/`` (308) unless the rule has ``strict_slashes=False``, in which case both match.
"""

from __future__ import annotations

import ast
import difflib
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from .http.exceptions import MethodNotAllowed, NotFound, RequestRedirect
from .http.urls import url_encode

__all__ = [
    "AnyConverter",
    "BaseConverter",
    "BuildError",
    "FloatConverter",
    "IntegerConverter",
    "Map",
    "PathConverter",
    "Rule",
    "UUIDConverter",
    "UnicodeConverter",
    "ValidationError",
]

_VARIABLE = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<args>.*?)\))?:)?"
    r"(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>"
)
_URL_SAFE = "!$&'()*+,/:;=@"


class ValidationError(ValueError):
    """Raised by a converter's ``to_python`` to say "this rule does not match"."""


class BuildError(LookupError):
    """A URL could not be built for an endpoint with the values given."""

    def __init__(self, endpoint: str, values: Mapping[str, Any], message: str) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.values = dict(values)


# Converters -----------------------------------------------------------------------------------


class BaseConverter:
    """Turns one part of the path into a Python value and back."""

    regex = "[^/]+"
    weight = 100
    part_isolating = True

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        self.map = map

    def to_python(self, value: str) -> Any:
        """The value the view receives (raise ValidationError to refuse the match)."""
        return value

    def to_url(self, value: Any) -> str:
        """The path text for ``value``."""
        return quote(str(value), safe=_URL_SAFE)


class UnicodeConverter(BaseConverter):
    """``string`` (the default): any text without a slash."""

    def __init__(
        self,
        map: Map,
        minlength: int = 1,
        maxlength: int | None = None,
        length: int | None = None,
    ) -> None:
        super().__init__(map)
        if length is not None:
            bounds = f"{{{int(length)}}}"
        else:
            bounds = f"{{{int(minlength)},{'' if maxlength is None else int(maxlength)}}}"
        self.regex = f"[^/]{bounds}"


class PathConverter(BaseConverter):
    """``path``: like string, but slashes included."""

    regex = "[^/].*?"
    weight = 200
    part_isolating = False


class AnyConverter(BaseConverter):
    """``any(a, b, c)``: one of the listed words."""

    def __init__(self, map: Map, *items: str) -> None:
        super().__init__(map)
        if not items:
            raise ValueError("any() needs at least one item")
        self.items = items
        self.regex = "(?:" + "|".join(re.escape(str(item)) for item in items) + ")"


class NumberConverter(BaseConverter):
    """Shared by ``int`` and ``float``: bounds and a fixed digit count."""

    weight = 50
    num_convert: Any = int

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: float | None = None,
        max: float | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map)
        if signed:
            self.regex = "-?" + self.regex
        self.fixed_digits = fixed_digits
        self.min = min
        self.max = max

    def to_python(self, value: str) -> Any:
        """Convert and check the bounds."""
        if self.fixed_digits and len(value) != self.fixed_digits:
            raise ValidationError()
        number = self.num_convert(value)
        if (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        """Format the number (zero-padded with ``fixed_digits``)."""
        text = str(self.num_convert(value))
        if self.fixed_digits:
            text = text.zfill(self.fixed_digits)
        return text


class IntegerConverter(NumberConverter):
    """``int``: ASCII digits only, no sign unless ``signed=True``."""

    regex = "[0-9]+"


class FloatConverter(NumberConverter):
    """``float``: digits with a decimal point."""

    regex = r"[0-9]+\.[0-9]+"
    num_convert = float


class UUIDConverter(BaseConverter):
    """``uuid``: a UUID in its hyphenated form."""

    regex = "[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"

    def to_python(self, value: str) -> uuid.UUID:
        """A ``uuid.UUID``."""
        return uuid.UUID(value)

    def to_url(self, value: Any) -> str:
        """The hyphenated form."""
        return str(value)


DEFAULT_CONVERTERS: dict[str, type[BaseConverter]] = {
    "default": UnicodeConverter,
    "string": UnicodeConverter,
    "any": AnyConverter,
    "path": PathConverter,
    "int": IntegerConverter,
    "float": FloatConverter,
    "uuid": UUIDConverter,
}


def _parse_args(text: str) -> tuple[list[Any], dict[str, Any]]:
    """Parse ``min=1, max=5`` or ``en, fr`` the way a call's arguments are written."""
    try:
        call = ast.parse(f"f({text})", mode="eval").body
    except SyntaxError:
        raise ValueError(f"malformed converter arguments: {text!r}") from None
    assert isinstance(call, ast.Call)

    def value(node: ast.expr) -> Any:
        if isinstance(node, ast.Name):
            return node.id  # bare words are strings: any(en, fr)
        return ast.literal_eval(node)

    return [value(arg) for arg in call.args], {
        kw.arg: value(kw.value) for kw in call.keywords if kw.arg is not None
    }


# Rules ------------------------------------------------------------------------------------------


class Rule:
    """One URL pattern bound to an endpoint and a set of methods."""

    def __init__(
        self,
        rule: str,
        *,
        endpoint: str,
        methods: Iterable[str] | None = None,
        defaults: Mapping[str, Any] | None = None,
        strict_slashes: bool | None = None,
        redirect_to: str | None = None,
        host: str | None = None,
        websocket: bool = False,
        subdomain: str | None = None,
        merge_slashes: bool | None = None,
    ) -> None:
        if not rule.startswith("/"):
            raise ValueError(f"URL rule {rule!r} must start with a slash.")
        if redirect_to is not None or host is not None or websocket or subdomain is not None:
            raise NotImplementedError(
                "redirect_to, host, subdomain and websocket rules are not supported yet."
            )
        self.rule = rule
        self.endpoint = endpoint
        if methods is not None:
            upper = {m.upper() for m in methods}
            if "GET" in upper:
                upper.add("HEAD")
            self.methods: frozenset[str] | None = frozenset(upper)
        else:
            self.methods = None
        self.defaults: dict[str, Any] = dict(defaults or {})
        self.strict_slashes = strict_slashes
        self.arguments: frozenset[str] = frozenset()
        self.is_static = True
        self.map: Map | None = None
        # Filled in by bind(): parts are (static text, None) or (None, (name, converter)).
        self._parts: list[tuple[str | None, tuple[str, BaseConverter] | None]] = []
        self._regex: re.Pattern[str] | None = None
        self._converters: dict[str, BaseConverter] = {}
        self.sort_key: tuple[Any, ...] = ()
        self.prefix = ""

    def bind(self, map: Map) -> None:
        """Parse the rule with the map's converters and compile it."""
        if self.map is not None:
            raise RuntimeError(f"Rule {self.rule!r} is already bound to a map.")
        self.map = map
        if self.strict_slashes is None:
            self.strict_slashes = map.strict_slashes
        parts: list[tuple[str | None, tuple[str, BaseConverter] | None]] = []
        position = 0
        for found in _VARIABLE.finditer(self.rule):
            if found.start() > position:
                parts.append((self.rule[position : found.start()], None))
            name = found.group("name")
            if name in self._converters:
                raise ValueError(f"Variable {name!r} appears twice in rule {self.rule!r}.")
            converter_name = found.group("converter") or "default"
            try:
                cls = map.converters[converter_name]
            except KeyError:
                raise LookupError(f"the converter {converter_name!r} does not exist") from None
            args, kwargs = _parse_args(found.group("args")) if found.group("args") else ([], {})
            converter = cls(map, *args, **kwargs)
            self._converters[name] = converter
            parts.append((None, (name, converter)))
            position = found.end()
        rest = self.rule[position:]
        if "<" in rest or ">" in rest:
            raise ValueError(f"malformed URL rule {self.rule!r}")
        if rest:
            parts.append((rest, None))
        self._parts = parts
        self.arguments = frozenset(self._converters)
        self.is_static = not self._converters
        self.sort_key = self._priority()
        if not self.is_static:
            pattern = "".join(
                re.escape(text) if conv is None else f"(?P<{conv[0]}>{conv[1].regex})"
                for text, conv in parts
                if text is not None or conv is not None
                for text in (text or "",)
            )
            if not self.strict_slashes and pattern.endswith("/"):
                pattern = pattern[:-1] + "/?"
            self._regex = re.compile(f"^{pattern}$")
            first = parts[0][0] or ""
            self.prefix = first[: first.rfind("/")] if "/" in first else ""

    def _priority(self) -> tuple[Any, ...]:
        key: list[tuple[int, int, int]] = []
        for segment in re.split(r"/(?![^<]*>)", self.rule)[1:]:
            found = [self._converters[m.group("name")] for m in _VARIABLE.finditer(segment)]
            if not found:
                key.append((0, 0, -len(segment)))
            else:
                static_len = len(_VARIABLE.sub("", segment))
                key.append((1, max(c.weight for c in found), -static_len))
        return tuple(key)

    def allows(self, method: str) -> bool:
        """Whether this rule answers ``method``."""
        return self.methods is None or method in self.methods

    def match(self, path: str) -> dict[str, Any] | None:
        """The converted URL values when ``path`` matches, else None."""
        regex = self._regex
        if regex is None:
            return dict(self.defaults) if path == self.rule else None
        found = regex.match(path)
        if found is None:
            return None
        values = dict(self.defaults)
        try:
            for name, raw in found.groupdict().items():
                values[name] = self._converters[name].to_python(raw)
        except (ValidationError, ValueError):
            return None
        return values

    def build(self, values: Mapping[str, Any]) -> str:
        """The path for ``values`` (which must hold every argument)."""
        out = []
        for text, conv in self._parts:
            if text is not None:
                out.append(text)
            elif conv is not None:
                name, converter = conv
                out.append(converter.to_url(values[name]))
        return "".join(out)

    def __repr__(self) -> str:
        methods = f" ({', '.join(sorted(self.methods))})" if self.methods else ""
        return f"<Rule {self.rule!r}{methods} -> {self.endpoint}>"


class Map:
    """All the rules of an app: match a path, build a URL."""

    def __init__(
        self,
        rules: Iterable[Rule] = (),
        strict_slashes: bool = True,
        converters: Mapping[str, type[BaseConverter]] | None = None,
    ) -> None:
        self.strict_slashes = strict_slashes
        self.converters: dict[str, type[BaseConverter]] = dict(DEFAULT_CONVERTERS)
        if converters:
            self.converters.update(converters)
        self._rules: list[Rule] = []
        self._static: dict[str, list[Rule]] = {}
        self._dynamic: dict[str, list[Rule]] = {}
        self._by_endpoint: dict[str, list[Rule]] = {}
        for rule in rules:
            self.add(rule)

    def add(self, rule: Rule) -> None:
        """Compile and index a rule."""
        rule.bind(self)
        self._rules.append(rule)
        self._by_endpoint.setdefault(rule.endpoint, []).append(rule)
        if rule.is_static:
            keys = [rule.rule]
            if not rule.strict_slashes:
                keys.append(rule.rule[:-1] if rule.rule.endswith("/") else rule.rule + "/")
            for key in keys:
                bucket = self._static.setdefault(key, [])
                bucket.append(rule)
        else:
            bucket = self._dynamic.setdefault(rule.prefix, [])
            bucket.append(rule)
            bucket.sort(key=lambda r: r.sort_key)  # stable: registration order on ties

    def iter_rules(self, endpoint: str | None = None) -> Iterator[Rule]:
        """Every rule, or those of one endpoint, in registration order."""
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
        """The endpoints that have rules."""
        return list(self._by_endpoint)

    # Matching -------------------------------------------------------------------------------

    def _candidates(self, path: str) -> list[Rule]:
        """Dynamic rules whose static prefix is a prefix of ``path``, best first."""
        dynamic = self._dynamic
        found: list[Rule] | None = None
        several = False
        position = 0
        while position != -1:
            bucket = dynamic.get(path[:position])
            if bucket:
                if found is None:
                    found = bucket
                else:
                    found = found + bucket
                    several = True
            position = path.find("/", position + 1)
        if found is None:
            return []
        if several:
            found.sort(key=lambda r: r.sort_key)
        return found

    def _match_path(self, path: str, method: str) -> tuple[Rule, dict[str, Any]] | set[str] | None:
        allowed: set[str] = set()
        matched_any = False
        static = self._static.get(path)
        if static is not None:
            for rule in static:
                if rule.methods is None or method in rule.methods:
                    return rule, dict(rule.defaults) if rule.defaults else {}
                allowed |= rule.methods
            matched_any = True
        if self._dynamic:
            for rule in self._candidates(path):
                values = rule.match(path)
                if values is None:
                    continue
                if rule.methods is None or method in rule.methods:
                    return rule, values
                allowed |= rule.methods
                matched_any = True
        return allowed if matched_any else None

    def match(self, path: str, method: str) -> tuple[Rule, dict[str, Any]]:
        """The rule and URL values for ``path``; NotFound, MethodNotAllowed or RequestRedirect."""
        found = self._match_path(path, method)
        if isinstance(found, tuple):
            return found
        if found is not None:
            raise MethodNotAllowed(valid_methods=found)
        if not path.endswith("/"):
            slashed = self._match_path(path + "/", method)
            if slashed is not None:
                raise RequestRedirect(path + "/")
        raise NotFound()

    def allowed_methods(self, path: str) -> set[str]:
        """Every method some rule answers for ``path``."""
        found = self._match_path(path, "\x00")
        return found if isinstance(found, set) else set()

    # Building --------------------------------------------------------------------------------

    def build(
        self,
        endpoint: str,
        values: Mapping[str, Any] | None = None,
        method: str | None = None,
        append_unknown: bool = True,
    ) -> str:
        """The path for ``endpoint`` with ``values``; extra values go to the query string."""
        given = {k: v for k, v in (values or {}).items() if v is not None}
        rules = self._by_endpoint.get(endpoint)
        if not rules:
            close = difflib.get_close_matches(endpoint, self._by_endpoint, n=1)
            hint = f" Did you mean {close[0]!r} instead?" if close else ""
            raise BuildError(
                endpoint, given, f"Could not build url for endpoint {endpoint!r}.{hint}"
            )
        missing: set[str] = set()
        for rule in rules:
            if method is not None and not rule.allows(method.upper()):
                continue
            need = rule.arguments - set(rule.defaults)
            lacking = need - set(given)
            if lacking:
                missing = set(lacking) if not missing else missing & lacking
                continue
            if any(k in given and given[k] != v for k, v in rule.defaults.items()):
                continue
            merged = dict(rule.defaults)
            merged.update(given)
            path = rule.build(merged)
            if append_unknown:
                extra = [
                    (k, v)
                    for k, v in given.items()
                    if k not in rule.arguments and k not in rule.defaults
                ]
                if extra:
                    path = f"{path}?{url_encode(extra)}"
            return path
        detail = f" Did you forget to specify values {sorted(missing)!r}?" if missing else ""
        if method is not None and not missing:
            detail = f" Did you mean to use methods other than {method!r}?"
        raise BuildError(endpoint, given, f"Could not build url for endpoint {endpoint!r}.{detail}")
