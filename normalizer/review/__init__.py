"""Curator review: decisions kept in the run store, applied to documents, words for people.

* :mod:`.decisions` – save, undo and list decisions (optimistic locking);
* :mod:`.decision_rows` – a stored decision (its row, history entry, errors);
* :mod:`.decision_keys` – how a decision is keyed (criterion hash, slot);
* :mod:`.curate` – apply decisions to documents (stale ones shown, never applied);
* :mod:`.queue` – the review queue: one row per constraint, for ``normalizer review``.

The review web page lives in :mod:`.web`; the words a person reads (``≥ 18 years``)
are :mod:`normalizer.words`.
"""
