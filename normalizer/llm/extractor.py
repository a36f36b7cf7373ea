"""The LLM extractor: criteria read by an LLM, through the same contract as rules.

:class:`LLMExtractor` skips criteria with no number in them, batches the rest,
asks up to ``in_flight`` requests at a time, answers from the response cache
where it can, and turns every way a request can end into an extraction: the
answer's constraints, or a finding (``llm-unavailable``, ``llm-invalid-output``,
``llm-answer-truncated``).  It never raises for a bad answer or endpoint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ..catalog import load_catalog
from ..extract.base import CriterionInput, Extraction
from ..prompts import Prompt, load_prompt
from .answer import LLMAnswer
from .cache import ResponseCache, request_key
from .convert import failed_extraction, to_extraction
from .settings import LLMSettings
from .tokens import AnswerTruncated, answer_budget
from .transport import Transport, is_api_error, is_transient, open_client, short_error
from .usage import LLMUsage

if TYPE_CHECKING:
    import openai

__all__ = ["LLMExtractor"]

_NUMBER_WORDS = re.compile(r"\d|\b(?:ULN|LLN|upper limit|lower limit)\b", re.IGNORECASE)
"""A criterion worth asking: a number, or a limit relative to normal."""


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
        self.settings = settings
        self.model = settings.model
        self.prompt = prompt or load_prompt(settings.prompt)
        self.prompt_id = self.prompt.id
        self.cache = cache
        self.usage = LLMUsage()
        self.progress: Callable[[LLMUsage], None] | None = None
        """Called with the usage after each request finishes (a live progress line)."""
        self.transport = Transport(client, settings, self.usage, sleep=sleep)
        """The endpoint's calls, with their retries (counted on ``usage``)."""
        # the contract's ids only: ids added later (``added_in``) join the list with the
        # next prompt version, whose requests are then recorded again (an added id here
        # would change every request, and no recorded answer would replay)
        catalog = load_catalog()
        self._catalog_text = "\n".join(
            f"{v.id}: {v.label}" for v in catalog.contract_variables()
        ) + "\nother: anything else measured on the patient"

    @classmethod
    def from_settings(
        cls, settings: LLMSettings, cache: ResponseCache | None = None
    ) -> LLMExtractor:
        """Build the OpenAI client from settings (SDK retries off: tenacity owns them)."""
        return cls(open_client(settings), settings, cache=cache)

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.usage)

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
        answer: LLMAnswer = self.transport.create(
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
            return [failed_extraction("llm-answer-truncated", str(exc))]
        except _CachedInvalid as exc:
            if len(batch) > 1:
                return [e for item in batch for e in self._read_batch([item])]
            self.usage.add(failed_invalid=1, failed_cached=1)
            return [failed_extraction("llm-invalid-output", str(exc))]
        except InstructorRetryException as exc:
            cause = exc.__cause__ or exc.__context__
            if cause is not None and (is_transient(cause) or is_api_error(cause)):
                self.usage.add(failed_transport=len(batch))
                code, what = "llm-unavailable", f"the LLM endpoint failed: {short_error(cause)}"
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
            return [failed_extraction(code, what) for _ in batch]
        except Exception as exc:
            if not (is_transient(exc) or is_api_error(exc)):
                raise
            self.usage.add(failed_transport=len(batch))
            what = f"the LLM endpoint failed: {short_error(exc)}"
            return [failed_extraction("llm-unavailable", what) for _ in batch]
        return [to_extraction(item, crit) for item, crit in zip(answer.items, batch, strict=True)]

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

        pool = ThreadPoolExecutor(max_workers=self.settings.in_flight)
        try:
            read = pool.map(read_one, batches)
            for batch, extractions in zip(batches, read, strict=True):
                for i, extraction in zip(batch, extractions, strict=True):
                    results[i] = extraction
        except BaseException:
            # interrupted (or a bug): the requests not yet sent are never sent
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        return [r if r is not None else Extraction() for r in results]


class _CachedInvalid(Exception):
    """A cached answer that had stayed invalid after re-asks."""


def _invalid_reason(exc: BaseException) -> str:
    """Why the last answer was invalid, as the validator said it (not the exception dump)."""
    from pydantic import ValidationError

    attempts = getattr(exc, "failed_attempts", None) or []
    last = getattr(attempts[-1], "exception", None) if attempts else exc.__cause__
    if isinstance(last, ValidationError):
        reasons = [str(e["msg"]).removeprefix("Value error, ") for e in last.errors()]
        text = " ".join("; ".join(reasons).split())
        return text[:300] if text else short_error(last)
    return short_error(last if last is not None else exc)
