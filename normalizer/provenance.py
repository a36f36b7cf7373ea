"""What produced an output: :func:`provenance_of` an extractor.

Apart from :mod:`normalizer.pipeline` so that a run's parent (which needs the
versions to decide what to skip) does not import verification and the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

from .catalog import load_catalog
from .models import Provenance
from .version import __version__

if TYPE_CHECKING:
    from .extract.base import Extractor

__all__ = ["provenance_of"]


def provenance_of(extractor: Extractor) -> Provenance:
    """What produced an output: tool and catalog versions, extractor, prompt id, model."""
    kind = extractor.name if extractor.name in ("rules", "llm") else "hybrid"
    return Provenance(
        normalizer_version=__version__,
        extractor=cast(Literal["rules", "llm", "hybrid"], kind),
        catalog_version=load_catalog().version,
        prompt_id=getattr(extractor, "prompt_id", None),
        model=getattr(extractor, "model", None),
    )
