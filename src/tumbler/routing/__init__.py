"""URL routing: rules, converters, matching a path to a rule, and building URLs.

Theory of operation:

* ``Rule("/users/<int:id>", endpoint="user")`` parses its string at once (``rules.py``).
  ``Map.add`` binds it: converters are looked up in ``Map.converters`` and instantiated, the
  rule is inserted into the matcher, and its build plan is precomputed. Nothing is compiled
  lazily, so ``match`` and ``build`` only read.
* ``Map.match(path, method)`` takes a decoded path (PEP 3333 ``PATH_INFO``: percent-decoding
  is the adapter's job). A static rule is found with one dict lookup keyed by the whole path,
  whatever the number of rules. Anything else goes through a segment trie (``matcher.py``):
  one dict lookup per static segment, and only the converter edges present at that node
  are tried. The cost depends on the depth of the path and the rules sharing its prefix,
  not on the number of rules, which is why we chose the trie over a scan of one regex per
  rule (a 500-rule app would run 500 regexes on a miss) or a single giant alternation
  (which cannot express priority or "try the next rule" when ``to_python`` refuses a value).
* Priority follows Werkzeug: going left to right, a static segment beats a converter, a
  segment mixing text and converters beats a lone converter, a lower converter weight beats a
  higher one (``int``/``float``/``uuid`` 50, ``string``/``any`` 100, ``path`` 200), and
  registration order breaks ties. The first rule that matches the path and allows the
  method wins; if rules matched the path but none the method, ``MethodNotAllowed`` carries
  the union of their methods (``HEAD`` is added wherever ``GET`` is).
* Trailing slashes: ``/dir`` asked of a rule ``/dir/`` raises ``RequestRedirect("/dir/")``
  (308; the new URL is a path, the app adds the script root and query string), ``/file/``
  asked of ``/file`` is a 404, and ``strict_slashes=False`` makes both spellings match. Like
  Werkzeug, ``/a//b`` redirects to ``/a/b`` when that matches (``merge_slashes``), and a
  match whose values equal the defaults of an earlier rule of the same endpoint redirects to
  that rule (``/page/1`` to ``/page/`` when ``/page/`` has ``defaults={"page": 1}``).
* Hosts and subdomains: each distinct ``subdomain`` (or ``host``, with ``host_matching``)
  pattern has its own static index and trie. ``Map.match(path, method, domain)`` tries the
  literal domain, then the patterns (``<user>.example.com``) that match it, those with more
  literal text first; their variables join the view arguments (a rule's defaults win over
  matched values, as in Werkzeug). Without ``domain`` only the default
  subdomain's rules are tried, and an app with no other domain pays nothing for the feature.
  A rule with ``redirect_to`` raises ``RuleRedirect`` when it matches.
* ``Map.build(endpoint, values)`` tries the endpoint's rules, those using more values first,
  and takes the first whose values are all given and whose defaults agree; values the rule
  does not use become the query string.
"""

from .converters import (
    DEFAULT_CONVERTERS,
    AnyConverter,
    BaseConverter,
    FloatConverter,
    IntegerConverter,
    NumberConverter,
    PathConverter,
    UnicodeConverter,
    UUIDConverter,
    ValidationError,
)
from .map import BuildError, Map, RuleRedirect
from .rules import Rule

__all__ = [
    "DEFAULT_CONVERTERS",
    "AnyConverter",
    "BaseConverter",
    "BuildError",
    "FloatConverter",
    "IntegerConverter",
    "Map",
    "NumberConverter",
    "PathConverter",
    "Rule",
    "RuleRedirect",
    "UUIDConverter",
    "UnicodeConverter",
    "ValidationError",
]
