"""Counting work instead of timing it, so a loaded machine cannot fail a test.

``count_operations`` runs a function once under ``sys.settrace`` (one event per bytecode
instruction, in every Python frame the call enters) and ``sys.setprofile`` (one event per
call into C), with the garbage collector off. For a given input the count is exact and the
same on every run, however busy the machine. ``assert_linear`` compares the counts of an
input and of one twice its size: linear work at most doubles (a fixed cost only lowers the
ratio), ``n log n`` gives a little over 2, quadratic work 4.

A call into C counts once whatever it does, so these counts see the algorithm written in
Python; a test of a function that does its work in C (a regex, ``bytes.replace``) says how
that work is bounded, and checks it another way.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

__all__ = ["assert_linear", "count_operations"]


def count_operations(func: Callable[[], Any]) -> int:
    """Bytecode instructions run by ``func()`` (callees included), plus its calls into C."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "opcode":
            count += 1
        return local

    def start(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        return local

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event == "c_call":
            count += 1

    old_trace, old_profile = sys.gettrace(), sys.getprofile()
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()  # a collection would run finalizers of earlier garbage: not this call's work
    sys.settrace(start)
    sys.setprofile(profile)
    try:
        func()
    finally:
        sys.setprofile(old_profile)
        sys.settrace(old_trace)
        if enabled:
            gc.enable()
    return count


def assert_linear(make: Callable[[int], Callable[[], Any]], size: int) -> tuple[int, int]:
    """Fail unless ``make(2 * size)`` costs at most 2.5 times the operations of ``make(size)``.

    Both run once first, so caches (compiled patterns, checked names) are warm in both.
    Returns the two counts.
    """
    small_func, large_func = make(size), make(size * 2)
    small_func()
    large_func()
    small = count_operations(small_func)
    large = count_operations(large_func)
    assert small > 0
    assert large <= 2.5 * small, f"doubling the input multiplied the work by {large / small:.2f}"
    return small, large
