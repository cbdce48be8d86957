"""The segment trie that matches a path to a rule.

Every rule is cut at its slashes into segments and inserted into a trie. A node has:

* ``static``: a dict from exact segment text to the child node (one lookup per segment);
* ``dynamic``: edges for segments with converters, sorted most specific first: segments that
  mix text and converters (``<a>-<b>``), then one-converter segments by converter weight
  (``int`` 50 before ``string`` 100), then registration order. Rules whose converters are
  configured the same way share an edge, so ``/users/<int:id>`` and ``/users/<int:id>/edit``
  check the ``int`` once;
* ``tails``: rules whose remaining part contains a converter that may span slashes (``path``),
  matched with one regex against the rest of the path, tried after every other edge;
* ``rules``: the rules that end at this node, in registration order.

The search is depth first: static child, then dynamic edges, then tails, backtracking when a
branch finds nothing. It stops at the first rule that matches the path and allows the method,
or at the first strict-slashes redirect it meets (as Werkzeug does). Rules that match the path
but not the method leave their methods behind for the 405 answer. Converted values are pushed
on one list while descending and popped when backtracking; the dict is made once, at the end.

A rule ending in ``/`` ends in an empty segment, which is a static child keyed ``""``. That is
how ``/dir`` finds ``/dir/`` for the redirect (or the match, without strict slashes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from .converters import BaseConverter, ValidationError
from .rules import Part, Rule, Variable

__all__ = ["REDIRECT", "Found", "Node", "insert", "search"]

#: What ``search`` returns: the rule and its values; a None rule means "redirect to add '/'".
Found = tuple[Rule | None, dict[str, Any]]
REDIRECT: Found = (None, {})

Converter = Callable[[str], Any]


def _converter_key(converter: BaseConverter, variable: Variable) -> tuple[Any, ...]:
    return (type(converter), variable.converter, variable.args, variable.kwargs, converter.regex)


class SegmentEdge:
    """A dynamic edge: one segment checked by a converter, or by a regex for mixed segments."""

    __slots__ = ("check", "convert", "converts", "node", "pattern", "single", "sort_key")

    def __init__(self, segment: Sequence[Part], rule: Rule, order: int) -> None:
        self.node = Node()
        variables = [part for part in segment if isinstance(part, Variable)]
        converters = [rule.converters[variable.name] for variable in variables]
        self.single = len(segment) == 1
        self.convert: Converter | None = None
        self.pattern: re.Pattern[str] | None = None
        self.converts: tuple[Converter | None, ...] = ()
        if self.single:
            converter = converters[0]
            self.check: Callable[[str], object] = (
                converter._segment_check() or re.compile(converter.regex, re.DOTALL).fullmatch
            )
            self.convert = converter._python_converter()
            self.sort_key: tuple[Any, ...] = (1, converter.weight, order)
        else:
            self.pattern = compile_parts(segment, rule)
            self.check = self.pattern.fullmatch
            self.converts = tuple(converter._python_converter() for converter in converters)
            static = sum(len(part) for part in segment if isinstance(part, str))
            weights = tuple(converter.weight for converter in converters)
            self.sort_key = (0, -static, weights, order)


class TailEdge:
    """The rest of a rule from a slash-spanning converter on, matched as one regex."""

    __slots__ = ("converts", "pattern", "rules", "slash", "sort_key")

    def __init__(self, segments: Sequence[Sequence[Part]], rule: Rule, order: int) -> None:
        parts: list[Part] = []
        for index, segment in enumerate(segments):
            if index:
                parts.append("/")
            parts.extend(segment)
        variables = [part for part in parts if isinstance(part, Variable)]
        self.pattern = compile_parts(parts, rule)
        self.converts = tuple(rule.converters[v.name]._python_converter() for v in variables)
        self.slash = rule.rule.endswith("/")
        self.rules: list[Rule] = []
        static = sum(len(part) for part in parts if isinstance(part, str))
        self.sort_key = (-static, order)


class Node:
    """A trie node: static children, dynamic edges, tails and the rules that end here."""

    __slots__ = ("dynamic", "edge_index", "rules", "static", "tails")

    def __init__(self) -> None:
        self.static: dict[str, Node] = {}
        self.dynamic: list[SegmentEdge] = []
        self.tails: list[TailEdge] = []
        self.rules: list[Rule] = []
        self.edge_index: dict[tuple[Any, ...], SegmentEdge | TailEdge] = {}


def compile_parts(parts: Sequence[Part], rule: Rule) -> re.Pattern[str]:
    """One regex for ``parts``; each variable becomes the group ``_0``, ``_1``, ... in order."""
    pieces: list[str] = []
    index = 0
    for part in parts:
        if isinstance(part, str):
            pieces.append(re.escape(part))
        else:
            pieces.append(f"(?P<_{index}>{rule.converters[part.name].regex})")
            index += 1
    try:
        # DOTALL: a decoded path may hold a newline (%0A); '.' in path's regex must take it.
        return re.compile("".join(pieces), re.DOTALL)
    except re.error as error:
        raise ValueError(f"URL rule {rule.rule!r} compiles to a bad regex: {error}") from None


def split_segments(parts: Sequence[Part]) -> list[list[Part]]:
    """Cut parts at each '/' of their static text (after the leading one)."""
    segments: list[list[Part]] = [[]]
    for index, part in enumerate(parts):
        if isinstance(part, Variable):
            segments[-1].append(part)
            continue
        text = part[1:] if index == 0 else part
        pieces = text.split("/")
        for number, piece in enumerate(pieces):
            if number:
                segments.append([])
            if piece:
                segments[-1].append(piece)
    return [segment if segment else [""] for segment in segments]


def _key_for(segments: Sequence[Sequence[Part]], rule: Rule) -> tuple[Any, ...]:
    key: list[Any] = []
    for segment in segments:
        key.append("/")
        for part in segment:
            if isinstance(part, str):
                key.append(part)
            else:
                key.append(_converter_key(rule.converters[part.name], part))
    return tuple(key)


def insert(root: Node, rule: Rule, order: int) -> None:
    """Add a bound rule to the trie under ``root``; ``order`` breaks ties (earlier first)."""
    segments = split_segments(rule.parts)
    node = root
    for index, segment in enumerate(segments):
        if len(segment) == 1 and isinstance(segment[0], str):
            child = node.static.get(segment[0])
            if child is None:
                child = node.static[segment[0]] = Node()
            node = child
            continue
        variables = [part for part in segment if isinstance(part, Variable)]
        if not all(rule.converters[v.name].part_isolating for v in variables):
            _insert_tail(node, segments[index:], rule, order)
            return
        key = _key_for([segment], rule)
        edge = node.edge_index.get(key)
        if not isinstance(edge, SegmentEdge):
            edge = node.edge_index[key] = SegmentEdge(segment, rule, order)
            node.dynamic.append(edge)
            node.dynamic.sort(key=lambda e: e.sort_key)
        node = edge.node
    node.rules.append(rule)


def _insert_tail(node: Node, segments: Sequence[Sequence[Part]], rule: Rule, order: int) -> None:
    key = ("tail", *_key_for(segments, rule))
    tail = node.edge_index.get(key)
    if not isinstance(tail, TailEdge):
        tail = node.edge_index[key] = TailEdge(segments, rule, order)
        node.tails.append(tail)
        node.tails.sort(key=lambda t: t.sort_key)
    tail.rules.append(rule)


def _make(rule: Rule, values: list[Any]) -> Found:
    names = rule.names
    if len(names) == 1:  # the common case; a dict display is much cheaper than dict(zip())
        result = {names[0]: values[0]}
    else:
        result = dict(zip(names, values, strict=True)) if names else {}
    defaults = rule.defaults
    if defaults:  # Werkzeug: a default wins over a value matched for the same name
        result.update(defaults)
    return rule, result


def _pick(
    rules: list[Rule], method: str, values: list[Any], allowed: list[frozenset[str]]
) -> Found | None:
    for rule in rules:
        methods = rule.methods
        if methods is None or method in methods:
            return _make(rule, values)
        allowed.append(methods)
    return None


def _pick_slash(
    rules: list[Rule], method: str, values: list[Any], allowed: list[frozenset[str]], add: bool
) -> Found | None:
    """Rules matched up to a trailing slash: ``add`` means the path lacks the rule's '/'."""
    for rule in rules:
        methods = rule.methods
        ok = methods is None or method in methods
        if not ok:
            if not add and not rule.strict_slashes:
                assert methods is not None
                allowed.append(methods)  # '/file/' for a lax '/file': the path matched
        elif not rule.strict_slashes:
            return _make(rule, values)
        elif add:
            return REDIRECT
    return None


def _convert_groups(
    match: re.Match[str], converts: tuple[Converter | None, ...]
) -> list[Any] | None:
    groups = match.groups()
    if len(groups) != len(converts):  # a converter regex with its own groups
        groups = tuple(match.group(f"_{i}") for i in range(len(converts)))
    result: list[Any] = []
    try:
        for text, convert in zip(groups, converts, strict=True):
            result.append(text if convert is None else convert(text))
    except ValidationError:
        return None
    return result


def _search_tails(
    node: Node,
    segments: list[str],
    index: int,
    method: str,
    values: list[Any],
    allowed: list[frozenset[str]],
) -> Found | None:
    rest = "/".join(segments[index:])
    for tail in node.tails:
        match = tail.pattern.fullmatch(rest)
        found: Found | None = None
        if match is not None:
            converted = _convert_groups(match, tail.converts)
            if converted is not None:
                found = _pick(tail.rules, method, values + converted, allowed)
        else:
            retry = rest + "/" if tail.slash else rest[:-1] if rest.endswith("/") else None
            match = tail.pattern.fullmatch(retry) if retry is not None else None
            converted = _convert_groups(match, tail.converts) if match is not None else None
            if converted is not None:
                found = _pick_slash(tail.rules, method, values + converted, allowed, tail.slash)
        if found is not None:
            return found
    return None


def search(
    node: Node,
    segments: list[str],
    index: int,
    method: str,
    values: list[Any],
    allowed: list[frozenset[str]],
) -> Found | None:
    """Find the rule for ``segments[index:]`` below ``node``; see the module docstring."""
    if index == len(segments):
        return _at_end(node, method, values, allowed)
    segment = segments[index]
    child = node.static.get(segment)
    if child is not None:
        found = search(child, segments, index + 1, method, values, allowed)
        if found is not None:
            return found
    for edge in node.dynamic:
        if not edge.check(segment):
            continue
        if not edge.single:
            found = _follow_mixed(edge, segment, segments, index, method, values, allowed)
        else:
            convert = edge.convert
            if convert is None:
                values.append(segment)
            else:
                try:
                    values.append(convert(segment))
                except ValidationError:
                    continue
            found = search(edge.node, segments, index + 1, method, values, allowed)
            if found is None:
                values.pop()
        if found is not None:
            return found
    if node.tails:
        found = _search_tails(node, segments, index, method, values, allowed)
        if found is not None:
            return found
    if segment == "" and index == len(segments) - 1 and node.rules:
        # '/file/' asked of a rule '/file' that does not insist on strict slashes.
        return _pick_slash(node.rules, method, values, allowed, False)
    return None


def _at_end(
    node: Node, method: str, values: list[Any], allowed: list[frozenset[str]]
) -> Found | None:
    """The path is used up at ``node``: its rules, else a rule ``.../`` one slash away."""
    for rule in node.rules:
        methods = rule.methods
        if methods is None or method in methods:
            return _make(rule, values)
        allowed.append(methods)
    slash = node.static.get("")
    if slash is not None and slash.rules:
        return _pick_slash(slash.rules, method, values, allowed, True)
    return None


def _follow_mixed(
    edge: SegmentEdge,
    segment: str,
    segments: list[str],
    index: int,
    method: str,
    values: list[Any],
    allowed: list[frozenset[str]],
) -> Found | None:
    assert edge.pattern is not None
    match = edge.pattern.fullmatch(segment)
    converted = _convert_groups(match, edge.converts) if match is not None else None
    if converted is None:
        return None
    depth = len(values)
    values.extend(converted)
    found = search(edge.node, segments, index + 1, method, values, allowed)
    if found is None:
        del values[depth:]
    return found
