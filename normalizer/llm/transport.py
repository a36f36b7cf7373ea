"""The transport: the one place that talks to the endpoint's HTTP API.

An OpenAI-compatible endpoint is driven through ``openai`` (its own retries off)
with ``instructor``'s structured output on top.  Transport faults (429 with
Retry-After, 5xx, timeouts, connection resets, a body that is not JSON) are
retried here by ``tenacity``, bounded by ``transport_attempts``; every call and
its tokens are counted on the run's :class:`~normalizer.llm.usage.LLMUsage`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from ..errors import ConfigError
from .settings import LLMSettings
from .usage import LLMUsage

if TYPE_CHECKING:
    import openai

__all__ = [
    "MalformedBody",
    "Transport",
    "is_api_error",
    "is_transient",
    "open_client",
    "request_timeout",
    "short_error",
]


def request_timeout(seconds: float) -> Any:
    """The HTTP timeout: ``seconds`` from when the request is sent until its answer.

    Waiting for a free connection in the client's pool is not counted (``pool=None``):
    a request queued behind others in this process does not time out before it is
    sent.  Connecting gets at most 30 s of it.  The class is that of the HTTP client
    the OpenAI SDK is built on (openai 3.x: ``httpx2``; httpx 0.x's ``Timeout`` is
    refused by httpx2 2.14 and later).
    """
    import httpx2

    return httpx2.Timeout(seconds, connect=min(30.0, seconds), pool=None)


def open_client(settings: LLMSettings) -> openai.OpenAI:
    """The OpenAI client of ``settings`` (SDK retries off: tenacity owns them)."""
    import openai

    if not settings.configured:
        raise ConfigError(
            "no LLM endpoint: set OPENAI_BASE_URL (and OPENAI_API_KEY) or pass --base-url"
        )
    return openai.OpenAI(
        base_url=settings.base_url,
        api_key=settings.api_key or "not-needed",
        max_retries=0,
        timeout=request_timeout(settings.timeout),
    )


class MalformedBody(Exception):
    """The endpoint's HTTP body is not a chat completion (not JSON, cut short)."""


def _replay_miss(exc: BaseException) -> bool:
    """A request missing from a replayed cassette: retrying cannot help."""
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__name__ == "CannotOverwriteExistingCassetteException":
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def is_transient(exc: BaseException) -> bool:
    """True for a fault that asking again may mend (429, 5xx, timeout, reset, bad body)."""
    import openai

    if _replay_miss(exc):
        return False
    if isinstance(exc, MalformedBody):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError | openai.APITimeoutError)


def is_api_error(exc: BaseException | None) -> bool:
    """True for any error the endpoint answered (``openai.APIError``)."""
    import openai

    return isinstance(exc, openai.APIError)


def short_error(exc: BaseException) -> str:
    """``Type: message`` on one line, at most 200 characters of the message."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}"


def _retry_after(exc: BaseException | None) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    raw = headers.get("retry-after")
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None


def _default_sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def _raise_if_cut(response: Any, budget: int) -> None:
    """Raise instructor's IncompleteOutputException for an answer that hit its budget.

    llama.cpp's server reports ``finish_reason`` "tool_calls" even for a tool call cut
    at ``max_tokens``; the completion tokens tell.
    """
    from instructor.core.exceptions import IncompleteOutputException

    choices = getattr(response, "choices", None) or []
    reason = getattr(choices[0], "finish_reason", None) if choices else None
    usage = getattr(response, "usage", None)
    used = int(getattr(usage, "completion_tokens", 0) or 0) if usage is not None else 0
    if reason == "length" or (budget and used >= budget):
        raise IncompleteOutputException(last_completion=response)


class Transport:
    """Chat completions of one client under ``settings``, counted on ``usage``.

    ``create`` is instructor's structured call (re-asks included) over :meth:`send`.
    """

    def __init__(
        self,
        client: openai.OpenAI,
        settings: LLMSettings,
        usage: LLMUsage,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        """Use ``client`` (built with ``max_retries=0``)."""
        import instructor

        self.client = client
        self.settings = settings
        self.usage = usage
        self.sleep = sleep
        """How a backoff waits (``time.sleep`` when None)."""
        modes = {
            "tools": instructor.Mode.TOOLS,
            "json_schema": instructor.Mode.JSON_SCHEMA,
            "json": instructor.Mode.JSON,
            "md_json": instructor.Mode.MD_JSON,
        }
        self.create = instructor.patch(create=self.send, mode=modes[settings.mode])

    def _wait(self, state: RetryCallState) -> float:
        backoff = wait_exponential_jitter(initial=1, max=self.settings.max_wait)(state)
        exc = state.outcome.exception() if state.outcome else None
        after = _retry_after(exc)
        return min(self.settings.max_wait, after) if after is not None else backoff

    def send(self, **kwargs: Any) -> Any:
        """One chat completion, with transport retries; counts calls and tokens."""

        def before_sleep(state: RetryCallState) -> None:
            self.usage.add(transport_retries=1)

        retrying = Retrying(
            stop=stop_after_attempt(self.settings.transport_attempts),
            wait=self._wait,
            retry=retry_if_exception(is_transient),
            before_sleep=before_sleep,
            sleep=self.sleep or _default_sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                self.usage.add(calls=1)
                try:
                    response = self.client.chat.completions.create(**kwargs)
                except ValueError as exc:  # json.JSONDecodeError: the body, not the answer
                    raise MalformedBody(f"the body is not JSON: {exc}") from exc
                usage = getattr(response, "usage", None)
                if usage is not None:
                    self.usage.add(
                        prompt_tokens=int(usage.prompt_tokens or 0),
                        completion_tokens=int(usage.completion_tokens or 0),
                    )
                _raise_if_cut(response, int(kwargs.get("max_tokens") or 0))
                return response
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover
