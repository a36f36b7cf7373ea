"""Segmentation: exact spans on every real record we have, and the seeds pinned."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from normalizer.segment import header_of, segment

from .conftest import CHIA, LCT, REPO, SEEDS, need_shared

# Read once from the segmenter's output, then checked criterion by criterion against the seeds.
SEED_PINS = {
    name: [tuple(row) for row in rows]
    for name, rows in json.loads(
        (REPO / "tests" / "data" / "seed_segments.json").read_text("utf-8")
    ).items()
}

BULLET_ONLY = re.compile(r"^[\s\-*•\\]*$")


def corpus_files() -> list[Path]:
    need_shared()
    files = sorted(SEEDS.glob("*.txt")) + sorted(CHIA.glob("*.txt")) + sorted(LCT.glob("*/*.txt"))
    assert len(files) > 2000, "the shared corpus looks incomplete"
    return files


def check_document(text: str) -> None:
    segs = segment(text)
    last_end = 0
    covered = bytearray(len(text))
    for seg in segs:
        assert text[seg.start : seg.end] == seg.text
        assert seg.text == seg.text.strip(), f"untrimmed span {seg.text!r}"
        assert seg.start >= last_end, "spans overlap or are out of order"
        last_end = seg.end
        covered[seg.start : seg.end] = b"\x01" * (seg.end - seg.start)
    assert len({s.id for s in segs}) == len(segs)
    # every non-blank, non-header line has its non-bullet text inside some criterion
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        header = header_of(body)
        if header is not None:
            # a header holds no criterion text of its own, only what follows its colon
            assert len(body) < 250 and re.search(r"(?i)criteri|inclu|exclu|eligib", body)
            body = " " * header[1] + body[header[1] :]
        if body.strip() and not BULLET_ONLY.match(body):
            last_char = offset + len(body.rstrip()) - 1
            assert covered[last_char], f"line not in any criterion: {body!r}"
        offset += len(line)


def test_every_corpus_record_segments_exactly() -> None:
    files = corpus_files()
    for path in files:
        text = path.read_bytes().decode("utf-8")
        try:
            check_document(text)
        except AssertionError as exc:
            raise AssertionError(f"{path.name}: {exc}") from None


@pytest.mark.parametrize("name", sorted(SEED_PINS))
def test_seed_segmentation_is_pinned(name: str) -> None:
    need_shared()
    text = (SEEDS / name).read_bytes().decode("utf-8")
    got = [(s.id, s.section, s.text) for s in segment(text)]
    assert got == SEED_PINS[name]


def test_headers_bullets_and_wrapped_lines() -> None:
    text = (
        "Key Inclusion Criteria:\r\n"
        "  1. Age ≥ 18 years\r\n"
        "  2) Adequate organ function:\r\n"
        "     - ANC ≥ 1.5 × 10^9/L\r\n"
        "     • platelets ≥ 100 × 10^9/L and\r\n"
        "       hemoglobin ≥ 9 g/dL\r\n"
        "\r\n"
        "  (a) ECOG 0-1\r\n"
        "  b. QTc \\< 470 ms\r\n"
        "EXCLUSION: Pregnancy\r\n"
        "\\* HIV infection\r\n"
    )
    segs = segment(text)
    assert [(s.section, s.text) for s in segs] == [
        ("inclusion", "Age ≥ 18 years"),
        ("inclusion", "Adequate organ function:"),
        ("inclusion", "ANC ≥ 1.5 × 10^9/L"),
        ("inclusion", "platelets ≥ 100 × 10^9/L and\r\n       hemoglobin ≥ 9 g/dL"),
        ("inclusion", "ECOG 0-1"),
        ("inclusion", "QTc \\< 470 ms"),
        ("exclusion", "Pregnancy"),
        ("exclusion", "HIV infection"),
    ]
    assert [s.id for s in segs][:2] == ["inc-1", "inc-2"]
    assert segs[-1].id == "exc-2"
    for s in segs:
        assert text[s.start : s.end] == s.text


def test_plain_lines_without_headers_use_the_default_section() -> None:
    text = "Age 18 years or older \nPlatelet count >= 100 x 10^9/L \n"
    segs = segment(text, default_section="exclusion")
    assert [(s.id, s.text) for s in segs] == [
        ("exc-1", "Age 18 years or older"),
        ("exc-2", "Platelet count >= 100 x 10^9/L"),
    ]
    assert [s.section for s in segment(text)] == ["unknown", "unknown"]


def test_numbers_at_line_start_are_not_bullets() -> None:
    text = "1.5 x ULN is the limit\n10. Tenth item\n"
    assert [s.text for s in segment(text)] == ["1.5 x ULN is the limit", "Tenth item"]


def test_lead_in_sentences_set_the_section() -> None:
    text = (
        "Patients must not meet any of the following criteria:\n"
        "- prior chemotherapy\n"
        "Patients are eligible if they meet all of the following criteria:\n"
        "- age 18 or older\n"
    )
    assert [(s.section, s.text) for s in segment(text)] == [
        ("exclusion", "prior chemotherapy"),
        ("inclusion", "age 18 or older"),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Patients must not meet any of the following criteria:", "exclusion"),
        ("Patients are eligible if they meet the following criteria： \t", "inclusion"),
        ("Patients are eligible if they meet all of the following criteria:\n", "inclusion"),
        ("Patients are eligible if they meet all of the following criteria", None),  # no colon
        ("Patients are eligible if they meet the following criteria: age 18", None),
    ],
)
def test_a_lead_in_is_a_line_that_ends_with_its_colon(line: str, expected: str | None) -> None:
    header = header_of(line)
    assert (header[0] if header else None) == expected
