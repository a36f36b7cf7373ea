"""What the registry check finds, and where each finding goes.

:class:`RegistryCheck` (findings by criterion, the document's own findings, the
eligible sets) and the collector that files a finding on its criterion or on the
document.  See :mod:`normalizer.verify.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import (
    Criterion,
    EligibilitySet,
    Finding,
)


@dataclass
class RegistryCheck:
    """What :func:`check_registry` found."""

    by_criterion: dict[str, list[Finding]] = field(default_factory=dict)
    """New findings by criterion id (on the constraint that states the limit)."""
    document: list[Finding] = field(default_factory=list)
    """Findings that no criterion holds (Document.findings)."""
    eligibility: list[EligibilitySet] = field(default_factory=list)
    """The eligible sets, with the registry's ages added when the text states none."""



class _Out:
    def __init__(self) -> None:
        self.check = RegistryCheck()

    def add(self, f: Finding, crit: Criterion | None) -> None:
        if crit is None:
            self.check.document.append(f)
        else:
            self.check.by_criterion.setdefault(crit.id, []).append(f)
