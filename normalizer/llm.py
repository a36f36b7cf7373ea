"""The LLM extractor: the one module that talks to an LLM.

An OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp's server) is
driven through ``openai`` + ``instructor`` structured output.  Retries have one
owner each:

* transport faults (429 with Retry-After, 5xx, timeouts, connection resets):
  ``tenacity`` around the raw HTTP call, with the SDK's own retries off;
* answers that fail validation (a quote not in the criterion, a number not in the
  quote, missing ids): instructor's re-ask, the validator's message fed back.

Both are bounded.  A batch whose calls finally fail gives each of its criteria an
empty, incomplete extraction with a finding (``llm-unavailable`` or
``llm-invalid-output``): never a crash of the run, never silently empty.

The client is passed in (:meth:`LLMExtractor.from_settings` builds one from
options or ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` / ``NORMALIZER_MODEL``);
nothing is created at import time.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from .cache import ResponseCache, request_key
from .catalog import load_catalog
from .errors import ConfigError
from .extract.base import CriterionInput, Extraction
from .findings import finding
from .models import Bound, Constraint, Finding
from .prompts import Prompt, load_prompt
from .units import to_ucum

if TYPE_CHECKING:
    import openai

__all__ = [
    "AnswerTruncated",
    "LLMAnswer",
    "LLMConstraint",
    "LLMExtractor",
    "LLMSettings",
    "LLMUsage",
    "answer_budget",
    "criterion_items",
    "locate_quote",
]

Mode = Literal["tools", "json_schema", "json", "md_json"]
Comparator = Literal[">=", ">", "<=", "<", "=", "range"]

DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct"
_NUMBER_WORDS = re.compile(r"\d|\b(?:ULN|LLN|upper limit|lower limit)\b", re.IGNORECASE)


REMOTE_CONCURRENCY = 4
"""Requests in flight to an endpoint that is not on this machine (unless --concurrency)."""


def is_loopback(base_url: str | None) -> bool:
    """True for ``http://127.0.0.1:8011/v1``, ``http://localhost/v1``, ``http://[::1]/v1``."""
    import ipaddress
    from urllib.parse import urlsplit

    if not base_url:
        return False
    host = (urlsplit(base_url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LLMSettings(BaseModel):
    """Everything that decides what is sent, where, and how often."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = None
    api_key: str | None = None
    model: str = DEFAULT_MODEL
    mode: Mode = "tools"
    prompt: str = "extract-v1"
    temperature: float = 0.0
    seed: int = 0
    max_tokens: int = Field(
        default=2048, ge=64,
        description="Cap on one answer's tokens, first try and retry alike (see answer_budget).",
    )
    timeout: float = Field(
        default=300.0, gt=0, description="Seconds per HTTP request ($NORMALIZER_TIMEOUT)."
    )
    transport_attempts: int = Field(default=4, ge=1, le=10)
    reasks: int = Field(default=1, ge=0, le=5)
    batch_size: int = Field(
        default=1, ge=1, le=32,
        description="Criteria per request.  Measured on a seed record with the 1.5B model: "
        "4 per request cut prompt tokens by 40% but F1 from 0.22 to 0.10, so 1 by default.",
    )
    concurrency: int | None = Field(
        default=None, ge=1, le=32,
        description="Requests in flight; by default 1 for a server on this machine (a "
        "loopback base URL: llama.cpp's server answers one request at a time) and "
        f"{REMOTE_CONCURRENCY} for any other endpoint.",
    )
    max_wait: float = Field(default=30.0, ge=0, description="Cap on one backoff wait, seconds.")

    @classmethod
    def from_env(cls, **overrides: Any) -> LLMSettings:
        """Settings from ``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, ``NORMALIZER_MODEL``."""
        values: dict[str, Any] = {
            "base_url": os.environ.get("OPENAI_BASE_URL") or None,
            "api_key": os.environ.get("OPENAI_API_KEY") or None,
        }
        if os.environ.get("NORMALIZER_MODEL"):
            values["model"] = os.environ["NORMALIZER_MODEL"]
        if os.environ.get("NORMALIZER_TIMEOUT"):
            try:
                values["timeout"] = float(os.environ["NORMALIZER_TIMEOUT"])
            except ValueError:
                raise ConfigError(
                    f"NORMALIZER_TIMEOUT={os.environ['NORMALIZER_TIMEOUT']!r} is not a number "
                    "of seconds"
                ) from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def local(self) -> bool:
        """True when the base URL is a loopback address (a server on this machine)."""
        return is_loopback(self.base_url)

    @property
    def in_flight(self) -> int:
        """The concurrency: as set, else 1 for a local server, else REMOTE_CONCURRENCY."""
        if self.concurrency is not None:
            return self.concurrency
        return 1 if self.local else REMOTE_CONCURRENCY

    @property
    def configured(self) -> bool:
        """True when an endpoint or key is given (else rules remain the default)."""
        return bool(self.base_url or self.api_key)


# ---------------------------------------------------------------------------
# What the model fills in, and the validators that send a wrong answer back.


def _squash(text: str) -> tuple[str, list[int]]:
    """Lower-case, drop markdown backslashes, fold blanks; keep a map to the original."""
    out: list[str] = []
    index: list[int] = []
    last_space = True
    for i, ch in enumerate(text):
        if ch == "\\":
            continue
        if ch.isspace():
            if last_space:
                continue
            out.append(" ")
            index.append(i)
            last_space = True
            continue
        out.append(ch.lower())
        index.append(i)
        last_space = False
    return "".join(out), index


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _unescape(text: str) -> str:
    r"""Undo JSON ``\uXXXX`` escapes that a model wrote literally inside a string."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def locate_quote(text: str, quote: str) -> tuple[int, int] | None:
    r"""``[start, end)`` of ``quote`` in ``text``: exact, else ignoring case, blanks, ``\\``."""
    quote = _unescape(quote).strip()
    if not quote:
        return None
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    squashed, index = _squash(text)
    needle, _ = _squash(quote)
    needle = needle.strip()
    at = squashed.find(needle) if needle else -1
    if at < 0:
        return None
    return index[at], index[at + len(needle) - 1] + 1


_NUM = re.compile(r"\d+(?:[.,]\d+)*")


def _numbers(quote: str) -> set[float]:
    """Numbers in a quote, with the registry's lost-superscript garbles undone."""
    found: set[float] = set()
    tokens = [m.group(0) for m in _NUM.finditer(quote)]
    values: list[float] = []
    for tok in tokens:
        try:
            values.append(float(tok.replace(",", "")))
        except ValueError:
            continue
        if "," in tok:
            with contextlib.suppress(ValueError):
                values.append(float(tok.replace(",", ".")))
    found.update(values)
    for tok in tokens:
        if re.fullmatch(r"10\d{1,2}", tok):  # "109/L" is 10^9/L, "104 copies" is 10^4
            power = 10.0 ** int(tok[2:])
            found.add(power)
            found.update(v * power for v in values)
    return found


def _grounded(value: float, numbers: set[float]) -> bool:
    return any(abs(value - n) <= 1e-9 * max(1.0, abs(n)) for n in numbers)


class LLMConstraint(BaseModel):
    """One constraint as the model states it (converted to the contract in code)."""

    quote: str = Field(description="The exact words of the criterion that state the constraint.")
    variable: str = Field(description="A variable id from the list, or 'other'.")
    label: str = Field(description="The variable's name as written.")
    comparator: Comparator
    value: float
    value2: float | None = Field(default=None, description="High end of a range, else null.")
    unit: str | None = Field(default=None, description="Unit as written, or null.")
    relative_to: Literal["ULN", "LLN"] | None = None
    qualifier: str | None = None

    @field_validator("variable")
    @classmethod
    def _known_variable(cls, v: str) -> str:
        return v if v in load_catalog() else "other"

    @field_validator("quote", "label", "unit", "qualifier")
    @classmethod
    def _no_escapes(cls, v: str | None) -> str | None:
        return None if v is None else _unescape(v)


class LLMItem(BaseModel):
    """The constraints of one criterion, by its id."""

    id: str
    constraints: list[LLMConstraint]

    @model_validator(mode="after")
    def _grounded_in_text(self, info: ValidationInfo) -> LLMItem:
        texts: dict[str, str] = (info.context or {}).get("texts", {})
        text = texts.get(self.id)
        if text is None:
            raise ValueError(f"there is no criterion with id {self.id!r}")
        problems: list[str] = []
        for n, c in enumerate(self.constraints):
            if locate_quote(text, c.quote) is None:
                problems.append(
                    f"constraint {n} of {self.id}: quote {c.quote!r} is not in the criterion "
                    "text; copy the words exactly"
                )
                continue
            numbers = _numbers(c.quote)
            for name, value in (("value", c.value), ("value2", c.value2)):
                if value is None or _grounded(value, numbers):
                    continue
                if c.relative_to and name == "value" and value == 1.0:
                    continue  # "<= ULN" states a multiple of one
                problems.append(
                    f"constraint {n} of {self.id}: {name} {value:g} does not appear in the quote "
                    f"{c.quote!r}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class LLMAnswer(BaseModel):
    """The answer to one request: one item per criterion id, in order."""

    items: list[LLMItem]

    @model_validator(mode="after")
    def _all_ids(self, info: ValidationInfo) -> LLMAnswer:
        expected = list((info.context or {}).get("texts", {}))
        got = [item.id for item in self.items]
        if got != expected:
            raise ValueError(f"answer one item for each id, in this order: {expected}; got {got}")
        return self


# ---------------------------------------------------------------------------
# Answer budgets.

_POWER = re.compile(r"10\s*(?:\^|\*\*?|\s)\s*\d+|\b10(?:9|12)(?=\s*/)")
"""A power of ten inside a unit ("10^9/L", "10*9/L", "109/L"): part of a unit, not a value."""
_ITEM = re.compile(r"\d+(?:[.,]\d+)?|[,;]|(?<=[A-Za-z])/(?=[A-Z])")
"""A number, or a list separator ("AST/ALT", not "mg/dL"): each list item can be a
constraint of its own."""

ANSWER_OVERHEAD = 120
"""Tokens of one answer's wrapper (the tool call, ``items``)."""
TOKENS_PER_ITEM = 25
"""Answer tokens per number or list item of a criterion.  Items outnumber constraints
(a range has two numbers; prose has commas): on the recorded gold answers a criterion of
8 items took 213 tokens and one of 6 took 286, while each of four of 8 to 13 items
overflowed the old flat 200; an answer that still overflows is asked again with twice
the budget."""
MIN_CRITERION_TOKENS = 200
"""Tokens for a criterion of up to 8 numbers and list items (the old flat budget)."""


def criterion_items(text: str) -> int:
    """What a criterion holds that can each become a constraint: numbers and list items.

    Powers of ten inside a unit ("× 10^9/L") are not counted.
    """
    return len(_ITEM.findall(_POWER.sub(" ", text)))


def answer_budget(texts: Sequence[str], cap: int) -> int:
    """``max_tokens`` for one request, never over ``cap``.

    The wrapper's 120 tokens plus, per criterion, 25 tokens per item (at least 200).
    """
    need = ANSWER_OVERHEAD + sum(
        max(MIN_CRITERION_TOKENS, TOKENS_PER_ITEM * criterion_items(t)) for t in texts
    )
    return min(cap, need)


# ---------------------------------------------------------------------------
# Usage accounting and the extractor.


@dataclass
class LLMUsage:
    """Criteria, calls and tokens of one run (re-asks and retries included).

    ``routed`` criteria were handed to the LLM; ``skipped_criteria`` of them hold no
    number and were not asked; ``sent`` were asked (of the endpoint, or answered from
    the cache: ``cache_hits``).  Failures count criteria, whether the endpoint failed
    now or the cache replays an answer that had failed (``failed_cached`` of them).
    """

    routed: int = 0
    sent: int = 0
    done: int = 0
    requests: int = 0
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    transport_retries: int = 0
    failed_transport: int = 0
    failed_invalid: int = 0
    failed_truncated: int = 0
    failed_cached: int = 0
    truncated_retries: int = 0
    skipped_criteria: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        """Add to counters, thread-safely."""
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    @property
    def failed(self) -> int:
        """Criteria whose reading failed, however (endpoint, invalid, truncated)."""
        return self.failed_transport + self.failed_invalid + self.failed_truncated

    def as_dict(self) -> dict[str, int]:
        """The counters as a plain dict."""
        return {
            k: v for k, v in self.__dict__.items() if not k.startswith("_") and isinstance(v, int)
        }


def request_timeout(seconds: float) -> Any:
    """The HTTP timeout: ``seconds`` from when the request is sent until its answer.

    Waiting for a free connection in the client's pool is not counted (``pool=None``):
    a request queued behind others in this process does not time out before it is
    sent.  Connecting gets at most 30 s of it.
    """
    import httpx

    return httpx.Timeout(seconds, connect=min(30.0, seconds), pool=None)


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


def _is_transient(exc: BaseException) -> bool:
    import openai

    if _replay_miss(exc):
        return False
    if isinstance(exc, MalformedBody):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError | openai.APITimeoutError)


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


class LLMExtractor:
    """Reads criteria with an LLM, through the same contract and verification as rules."""

    name = "llm"

    def __init__(
        self,
        client: openai.OpenAI,
        settings: LLMSettings,
        cache: ResponseCache | None = None,
        prompt: Prompt | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        """Use ``client`` (built with ``max_retries=0``) under ``settings``."""
        import instructor

        self.settings = settings
        self.model = settings.model
        self.prompt = prompt or load_prompt(settings.prompt)
        self.prompt_id = self.prompt.id
        self.cache = cache
        self.usage = LLMUsage()
        self.progress: Callable[[LLMUsage], None] | None = None
        """Called with the usage after each request finishes (a live progress line)."""
        self._client = client
        self._sleep = sleep
        modes = {
            "tools": instructor.Mode.TOOLS,
            "json_schema": instructor.Mode.JSON_SCHEMA,
            "json": instructor.Mode.JSON,
            "md_json": instructor.Mode.MD_JSON,
        }
        self._mode = modes[settings.mode]
        self._create = instructor.patch(create=self._send, mode=self._mode)
        catalog = load_catalog()
        self._catalog_text = "\n".join(
            f"{v.id}: {v.label}" for v in catalog.variables
        ) + "\nother: anything else measured on the patient"

    @classmethod
    def from_settings(
        cls, settings: LLMSettings, cache: ResponseCache | None = None
    ) -> LLMExtractor:
        """Build the OpenAI client from settings (SDK retries off: tenacity owns them)."""
        import openai

        if not settings.configured:
            raise ConfigError(
                "no LLM endpoint: set OPENAI_BASE_URL (and OPENAI_API_KEY) or pass --base-url"
            )
        client = openai.OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key or "not-needed",
            max_retries=0,
            timeout=request_timeout(settings.timeout),
        )
        return cls(client, settings, cache=cache)

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.usage)

    # -- transport ---------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        backoff = wait_exponential_jitter(initial=1, max=self.settings.max_wait)(state)
        exc = state.outcome.exception() if state.outcome else None
        after = _retry_after(exc)
        return min(self.settings.max_wait, after) if after is not None else backoff

    def _send(self, **kwargs: Any) -> Any:
        """One chat completion, with transport retries; counts calls and tokens."""

        def before_sleep(state: RetryCallState) -> None:
            self.usage.add(transport_retries=1)

        retrying = Retrying(
            stop=stop_after_attempt(self.settings.transport_attempts),
            wait=self._wait,
            retry=retry_if_exception(_is_transient),
            before_sleep=before_sleep,
            sleep=self._sleep or _default_sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                self.usage.add(calls=1)
                try:
                    response = self._client.chat.completions.create(**kwargs)
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

    # -- one request -------------------------------------------------------

    def _request(
        self, batch: Sequence[CriterionInput]
    ) -> tuple[str, dict[str, str], list[dict[str, str]]]:
        """The cache key, the texts by id and the payload sent for ``batch``."""
        texts = {f"c{n + 1}": item.text for n, item in enumerate(batch)}
        payload = [{"id": k, "text": v} for k, v in texts.items()]
        key = request_key(self.model, self.prompt_id, self.settings.mode, payload)
        return key, texts, payload

    def _ask(self, batch: Sequence[CriterionInput]) -> LLMAnswer | str:
        """The validated answer, or the message of an answer that stayed invalid (cached)."""
        key, texts, payload = self._request(batch)
        context = {"texts": texts}
        if self.cache is not None:
            # waits while another process asks the same request: one of them pays
            cached = self.cache.get_or_claim(key)
            if cached is not None:
                self.usage.add(cache_hits=1)
                if isinstance(cached, dict) and "invalid" in cached:
                    return str(cached["invalid"])
                try:
                    return LLMAnswer.model_validate(cached, context=context)
                except ValueError:
                    self.cache.claim(key)  # a stale or damaged row: ask again
        try:
            return self._ask_endpoint(key, context, payload, len(batch))
        finally:
            if self.cache is not None:
                self.cache.release(key)  # a no-op once the answer is stored

    def _ask_endpoint(
        self, key: str, context: dict[str, Any], payload: list[dict[str, str]], size: int
    ) -> LLMAnswer:
        """Ask; an answer cut off at its budget is asked once more with twice the budget.

        A cut answer is never cached: :class:`AnswerTruncated` goes up instead.
        """
        budget = answer_budget([p["text"] for p in payload], self.settings.max_tokens)
        try:
            answer = self._ask_once(context, payload, budget)
        except AnswerTruncated:
            larger = min(self.settings.max_tokens, 2 * budget)
            if larger <= budget:
                raise
            self.usage.add(truncated_retries=1)
            answer = self._ask_once(context, payload, larger)
        if self.cache is not None:
            self.cache.put(key, self.model, self.prompt_id, answer.model_dump(mode="json"))
        return answer

    def _ask_once(
        self, context: dict[str, Any], payload: list[dict[str, str]], budget: int
    ) -> LLMAnswer:
        from instructor.core.exceptions import IncompleteOutputException

        self.usage.add(requests=1)
        try:
            return self._ask_instructor(context, payload, budget)
        except IncompleteOutputException as exc:
            raise AnswerTruncated(budget) from exc
        except Exception as exc:
            # an answer cut inside its JSON that the server did not flag ("EOF while parsing")
            if "EOF while parsing" in str(exc):
                raise AnswerTruncated(budget) from exc
            raise

    def _ask_instructor(
        self, context: dict[str, Any], payload: list[dict[str, str]], budget: int
    ) -> LLMAnswer:
        answer: LLMAnswer = self._create(
            response_model=LLMAnswer,
            context={
                **context,
                "criteria": json.dumps(payload, ensure_ascii=False, indent=1),
                "catalog": self._catalog_text,
            },
            max_retries=self.settings.reasks,
            model=self.model,
            messages=[
                {"role": "system", "content": self.prompt.system},
                {"role": "user", "content": self.prompt.user},
            ],
            temperature=self.settings.temperature,
            seed=self.settings.seed,
            max_tokens=budget,
        )
        return answer

    def _read_batch(self, batch: Sequence[CriterionInput]) -> list[Extraction]:
        from instructor.core.exceptions import InstructorRetryException

        try:
            answer = self._ask(batch)
            if isinstance(answer, str):
                raise _CachedInvalid(answer)
        except AnswerTruncated as exc:
            if len(batch) > 1:
                return [e for item in batch for e in self._read_batch([item])]
            self.usage.add(failed_truncated=1)
            return [_failed("llm-answer-truncated", str(exc))]
        except _CachedInvalid as exc:
            if len(batch) > 1:
                return [e for item in batch for e in self._read_batch([item])]
            self.usage.add(failed_invalid=1, failed_cached=1)
            return [_failed("llm-invalid-output", str(exc))]
        except InstructorRetryException as exc:
            cause = exc.__cause__ or exc.__context__
            if cause is not None and (_is_transient(cause) or _is_api_error(cause)):
                self.usage.add(failed_transport=len(batch))
                code, what = "llm-unavailable", f"the LLM endpoint failed: {_short(cause)}"
            else:
                if len(batch) == 1:  # a batch's criteria are asked again one by one
                    self.usage.add(failed_invalid=1)
                code = "llm-invalid-output"
                what = f"the LLM's answer stayed invalid after re-asks: {_invalid_reason(exc)}"
                if self.cache is not None:
                    # deterministic settings give the same answer again: do not pay twice
                    self.cache.put(self._request(batch)[0], self.model, self.prompt_id,
                                   {"invalid": what})
            if len(batch) > 1 and code == "llm-invalid-output":
                return [e for item in batch for e in self._read_batch([item])]
            return [_failed(code, what) for _ in batch]
        except Exception as exc:
            if not (_is_transient(exc) or _is_api_error(exc)):
                raise
            self.usage.add(failed_transport=len(batch))
            return [_failed("llm-unavailable", f"the LLM endpoint failed: {_short(exc)}")
                    for _ in batch]
        return [_to_extraction(item, crit) for item, crit in zip(answer.items, batch, strict=True)]

    def extract(self, criteria: Sequence[CriterionInput]) -> list[Extraction]:
        """Read ``criteria``: batched, concurrent, cached; never raises for a bad answer."""
        results: list[Extraction | None] = [None] * len(criteria)
        todo: list[int] = []
        self.usage.add(routed=len(criteria))
        for n, item in enumerate(criteria):
            if _NUMBER_WORDS.search(item.text):
                todo.append(n)
            else:
                results[n] = Extraction()
                self.usage.add(skipped_criteria=1)
        size = self.settings.batch_size
        batches = [todo[i : i + size] for i in range(0, len(todo), size)]
        self._report()

        def read_one(b: list[int]) -> list[Extraction]:
            self.usage.add(sent=len(b))
            try:
                return self._read_batch([criteria[i] for i in b])
            finally:
                self.usage.add(done=len(b))
                self._report()

        with ThreadPoolExecutor(max_workers=self.settings.in_flight) as pool:
            read = pool.map(read_one, batches)
            for batch, extractions in zip(batches, read, strict=True):
                for i, extraction in zip(batch, extractions, strict=True):
                    results[i] = extraction
        return [r if r is not None else Extraction() for r in results]


class AnswerTruncated(Exception):
    """The answer was cut off at its token budget (finish_reason "length", or cut JSON)."""

    def __init__(self, budget: int) -> None:
        """Cut off at ``budget`` tokens."""
        self.budget = budget
        super().__init__(
            f"the LLM's answer was cut off at its budget of {budget} tokens before it was "
            "complete, and was not kept (raise --max-tokens, or review the criterion by hand)"
        )


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


class _CachedInvalid(Exception):
    """A cached answer that had stayed invalid after re-asks."""


def _default_sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def _is_api_error(exc: BaseException | None) -> bool:
    import openai

    return isinstance(exc, openai.APIError)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}"


def _invalid_reason(exc: BaseException) -> str:
    """Why the last answer was invalid, as the validator said it (not the exception dump)."""
    from pydantic import ValidationError

    attempts = getattr(exc, "failed_attempts", None) or []
    last = getattr(attempts[-1], "exception", None) if attempts else exc.__cause__
    if isinstance(last, ValidationError):
        reasons = [str(e["msg"]).removeprefix("Value error, ") for e in last.errors()]
        text = " ".join("; ".join(reasons).split())
        return text[:300] if text else _short(last)
    return _short(last if last is not None else exc)


def _failed(code: str, message: str) -> Extraction:
    return Extraction(
        findings=[finding(code, message)],
        complete=False,
    )


MAX_CONSTRAINTS = 20
"""Constraints kept from one answer for one criterion (after duplicates are collapsed)."""
MAX_TEXT = 200
"""Characters kept of a label or qualifier the LLM wrote."""


def _limited(item: LLMItem) -> tuple[list[LLMConstraint], list[Finding]]:
    """An answer in proportion: duplicates once, at most MAX_CONSTRAINTS, short texts."""
    findings: list[Finding] = []
    seen: set[str] = set()
    unique: list[LLMConstraint] = []
    for c in item.constraints:
        key = c.model_dump_json()
        if key not in seen:
            seen.add(key)
            unique.append(c)
    if len(unique) < len(item.constraints):
        findings.append(finding(
            "llm-duplicates-collapsed",
            f"the LLM gave {len(item.constraints)} constraints of which {len(unique)} differ: "
            "each is kept once",
        ))
    if len(unique) > MAX_CONSTRAINTS:
        findings.append(finding(
            "llm-too-many-constraints",
            f"the LLM gave {len(unique)} different constraints for one criterion: the first "
            f"{MAX_CONSTRAINTS} were kept",
        ))
        unique = unique[:MAX_CONSTRAINTS]
    cut = 0
    for n, c in enumerate(unique):
        updates: dict[str, str] = {}
        for name in ("label", "qualifier"):
            value = getattr(c, name)
            if value is not None and len(value) > MAX_TEXT:
                updates[name] = value[:MAX_TEXT].rstrip() + "…"
        if updates:
            cut += 1
            unique[n] = c.model_copy(update=updates)
    if cut:
        findings.append(finding(
            "llm-text-truncated",
            f"{cut} constraint(s) had a label or qualifier over {MAX_TEXT} characters: cut",
        ))
    return unique, findings


def _to_extraction(item: LLMItem, crit: CriterionInput) -> Extraction:
    catalog = load_catalog()
    constraints: list[Constraint] = []
    kept, findings = _limited(item)
    for c in kept:
        span = locate_quote(crit.text, c.quote)
        if span is None:  # validated already; kept for type narrowing
            continue
        lower: Bound | None = None
        upper: Bound | None = None
        if c.comparator == "range" and c.value2 is not None:
            lo, hi = sorted((c.value, c.value2))
            lower, upper = Bound(value=lo, inclusive=True), Bound(value=hi, inclusive=True)
        elif c.comparator in (">=", ">"):
            lower = Bound(value=c.value, inclusive=c.comparator == ">=")
        elif c.comparator in ("<=", "<"):
            upper = Bound(value=c.value, inclusive=c.comparator == "<=")
        else:
            lower = upper = Bound(value=c.value, inclusive=True)
        unit: str | None = None
        if c.unit and not c.relative_to:
            unit = to_ucum(c.unit)
            if unit is None:
                findings.append(
                    finding(
                        "unit-unreadable",
                        f"the LLM gave the unit {c.unit!r}, which is not a known unit",
                        len(constraints),
                    )
                )
        var = catalog.get(c.variable)
        constraints.append(
            Constraint(
                variable=c.variable,
                label=c.label or (var.label if var else c.variable),
                lower=lower,
                upper=upper,
                unit=unit,
                relative_to=c.relative_to,
                qualifier=c.qualifier or None,
                evidence=(crit.start + span[0], crit.start + span[1]),
                extracted_by=["llm"],
            )
        )
    return Extraction(constraints=constraints, findings=findings)
