"""Type names for annotating views, hooks and callbacks, under the names Flask gives them.

Apps and extensions annotate with these (``flask.typing`` under ``tumbler.flask_patch``);
they describe what tumbler accepts, so ``mypy`` checks a ported app as it checked it before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from .http.datastructures import Headers
    from .http.response import Response

__all__ = [
    "AfterRequestCallable",
    "AppOrBlueprintKey",
    "BeforeRequestCallable",
    "ErrorHandlerCallable",
    "HeaderName",
    "HeaderValue",
    "HeadersValue",
    "ResponseClass",
    "ResponseReturnValue",
    "ResponseValue",
    "RouteCallable",
    "ShellContextProcessorCallable",
    "StatusCode",
    "TeardownCallable",
    "TemplateContextProcessorCallable",
    "TemplateFilterCallable",
    "TemplateGlobalCallable",
    "TemplateTestCallable",
    "URLDefaultCallable",
    "URLValuePreprocessorCallable",
]

#: The body a view may return: text, bytes, JSON-able data, a Response, or an iterator.
ResponseValue: TypeAlias = (
    "Response | str | bytes | list[Any] | Mapping[str, Any] | Iterator[str] | Iterator[bytes]"
    " | AsyncIterator[str] | AsyncIterator[bytes]"
)
StatusCode: TypeAlias = "int | str"
HeaderName: TypeAlias = str
HeaderValue: TypeAlias = "str | list[str] | tuple[str, ...]"
HeadersValue: TypeAlias = "Headers | Mapping[str, HeaderValue] | Iterable[tuple[str, HeaderValue]]"
#: Everything a view may return: a body, optionally with a status and/or headers.
ResponseReturnValue: TypeAlias = (
    "ResponseValue | tuple[ResponseValue, HeadersValue]"
    " | tuple[ResponseValue, StatusCode] | tuple[ResponseValue, StatusCode, HeadersValue]"
)
ResponseClass: TypeAlias = "Response"
#: The key of the app (None) or of a blueprint (its name) in the per-scope registries.
AppOrBlueprintKey: TypeAlias = "str | None"

AfterRequestCallable: TypeAlias = (
    "Callable[[Any], Any] | Callable[[Any], Awaitable[Any]]"  # gets and may return a Response
)
BeforeRequestCallable: TypeAlias = "Callable[[], Any] | Callable[[], Awaitable[Any]]"
ShellContextProcessorCallable: TypeAlias = "Callable[[], dict[str, Any]]"
TeardownCallable: TypeAlias = (
    "Callable[[BaseException | None], None] | Callable[[BaseException | None], Awaitable[None]]"
)
TemplateContextProcessorCallable: TypeAlias = (
    "Callable[[], dict[str, Any]] | Callable[[], Awaitable[dict[str, Any]]]"
)
TemplateFilterCallable: TypeAlias = "Callable[..., Any]"
TemplateGlobalCallable: TypeAlias = "Callable[..., Any]"
TemplateTestCallable: TypeAlias = "Callable[..., bool]"
URLDefaultCallable: TypeAlias = "Callable[[str, dict[str, Any]], None]"
URLValuePreprocessorCallable: TypeAlias = "Callable[[str | None, dict[str, Any] | None], None]"
ErrorHandlerCallable: TypeAlias = "Callable[[Any], Any] | Callable[[Any], Awaitable[Any]]"
RouteCallable: TypeAlias = "Callable[..., Any] | Callable[..., Awaitable[Any]]"
