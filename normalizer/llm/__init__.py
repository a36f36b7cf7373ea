"""The LLM extractor: the one package that talks to an LLM.

An OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp's server) is
driven through ``openai`` + ``instructor`` structured output.  Retries have one
owner each:

* transport faults (429 with Retry-After, 5xx, timeouts, connection resets):
  ``tenacity`` around the raw HTTP call, with the SDK's own retries off
  (:mod:`~normalizer.llm.transport`);
* answers that fail validation (a quote not in the criterion, a number not in the
  quote, missing ids): instructor's re-ask, the validator's message fed back
  (:mod:`~normalizer.llm.answer`).

Both are bounded.  A batch whose calls finally fail gives each of its criteria an
empty, incomplete extraction with a finding (``llm-unavailable`` or
``llm-invalid-output``): never a crash of the run, never silently empty.

The client is passed in (:meth:`LLMExtractor.from_settings` builds one from
options or ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` / ``NORMALIZER_MODEL``);
nothing is created at import time.  The modules, one idea each: ``settings``,
``answer`` (schema and grounding), ``tokens`` (answer budgets), ``transport``,
``cache`` (the response cache), ``convert`` (answers into constraints),
``usage`` and ``extractor``.
"""

from .answer import LLMAnswer, LLMConstraint, locate_quote
from .extractor import LLMExtractor
from .settings import LLMSettings
from .tokens import AnswerTruncated, answer_budget, criterion_items
from .usage import LLMUsage

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
