"""An extractor factory for the batch tests that hangs, crashes or raises on marked text.

It is a fake that says it is one: the rules extractor, except that a criterion
containing ``HANG-ME`` sleeps for ever, ``CRASH-ME`` kills the worker process
outright (as a segfault would) and ``RAISE-ME`` raises.  Workers unpickle it by
reference, so it lives in an importable module.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

from normalizer.extract.base import CriterionInput, Extraction, Extractor
from normalizer.extract.rules import RulesExtractor
from normalizer.models import Provenance
from normalizer.pipeline import provenance_of


class FaultyExtractor:
    name = "rules"

    def __init__(self) -> None:
        self.rules = RulesExtractor()

    def extract(self, criteria: Sequence[CriterionInput]) -> list[Extraction]:
        for item in criteria:
            if "HANG-ME" in item.text:
                time.sleep(3600)
            if "CRASH-ME" in item.text:
                os._exit(70)
            if "RAISE-ME" in item.text:
                raise RuntimeError("the extractor broke on purpose")
        return self.rules.extract(criteria)


@dataclass(frozen=True)
class FaultySpec:
    def build(self) -> tuple[Extractor, None]:
        return FaultyExtractor(), None

    def provenance(self) -> Provenance:
        return provenance_of(self.build()[0])
