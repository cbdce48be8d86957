"""How to install an optional library, said the same way by every message that needs it.

The name ``tumbler`` on the public package index belongs to an unrelated project, so no
message may tell users to ``pip install tumbler``: they name the library itself, and the
extra to install from a checkout of this project (its distribution name is ``tumbler-web``).
"""

from __future__ import annotations

__all__ = ["install_hint"]


def install_hint(requirement: str, extra: str) -> str:
    """``pip install REQUIREMENT``, or the extra from a checkout: for an error message."""
    return f"pip install '{requirement}' (or, in a tumbler checkout: pip install -e '.[{extra}]')"
