"""Generators of hostile inputs for evals/fuzz.py (and the property tests' vocabulary).

Categories (issue 12): the pathological families at random sizes, token soup in
the criteria's own vocabulary, arbitrary Unicode, mutations of real lines (the
seeds and the dev gold set, never the test split), byte blobs for the file reader
(NULs, BOMs, UTF-16, broken UTF-8).
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.pathological import FAMILIES  # noqa: E402

TOKENS = [
    "Age", "age", "aged", "patients", "Patients'", "women", "ECOG", "platelets", "ANC",
    "creatinine", "ALT", "AST", "bilirubin", "hemoglobin", "BMI", "Karnofsky", "HbA1c",
    ">", "<", ">=", "<=", "≥", "≤", "=", "=>", "greater than", "less than", "at least",
    "or older", "or more", "between", "and", "or", "to", "-", "–", "/", "x", "×", "*",
    "18", "75", "1.5", "2.5", "100,000", "1.000", "10^9/L", "109/L", "10(9)", "1e5",
    "0,5", "1/3", "3", "ULN", "LLN", "upper limit of normal", "mg/dL", "g/dL", "umol/L",
    "mmHg", "%", "years", "months", "days", "kg/m2", "mL/min/1.73 m2", "copies/mL",
    "within", "prior to", "weeks", "grade", "stage", "version 5.0", "ICD-10", "(", ")",
    "[", "]", ",", ";", ":", ".", "\n", "\n\n", "\r\n", "\t", "  ", " ", "•", "1.", "a)",
    "(iv)", "\\*", "Inclusion Criteria:", "Exclusion Criteria", "INCLUSION:", "Key",
    "criteria for exclusion:", "the following criteria:", "\u00a0", "\u200b", "\ufeff",
    "9" * 320, "0" * 50, "1" * 400,
]

WEIRD = ["\u0000", "\ud7ff", "\ue000", "\U0001f600", "\u202e", "\u0301", "ﬁ", "Ⅸ", "٣", "𝟘"]


def soup(rng: random.Random) -> str:
    n = rng.randint(1, 60)
    return " ".join(rng.choice(TOKENS) for _ in range(n)).replace(" \n ", "\n")


def unicode_text(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(1, 200)):
        r = rng.random()
        if r < 0.5:
            cp = rng.randint(0x20, 0x7E)
        elif r < 0.8:
            cp = rng.randint(0xA0, 0xD7FF)
        elif r < 0.95:
            cp = rng.randint(0xE000, 0x10FFFF)
        else:
            out.append(rng.choice(WEIRD))
            continue
        out.append(chr(cp))
    return "".join(out)


def pathological(rng: random.Random) -> tuple[str, str]:
    family = rng.choice(sorted(FAMILIES))
    size = {"header-words": 30, "bullets": 300, "bullets-both": 150}.get(family, 1500)
    return f"family:{family}", FAMILIES[family](rng.randint(1, size))


def corpus_lines() -> list[str]:
    lines: list[str] = []
    for seed in sorted((REPO.parent / "shared" / "seeds").glob("*.txt")):
        lines += [x for x in seed.read_text("utf-8").splitlines() if x.strip()]
    with (REPO / "gold" / "dev.jsonl").open(encoding="utf-8") as handle:
        lines += [json.loads(line)["text"] for line in handle if line.strip()]
    return lines


def mutate(rng: random.Random, line: str) -> str:
    text = line
    for _ in range(rng.randint(1, 4)):
        if not text:
            text = rng.choice(TOKENS)
        i = rng.randrange(len(text) + 1)
        op = rng.randrange(8)
        if op == 0:  # delete a run
            text = text[:i] + text[i + rng.randint(1, 5):]
        elif op == 1:  # insert a token
            text = text[:i] + rng.choice(TOKENS) + text[i:]
        elif op == 2:  # repeat a slice many times
            j = min(len(text), i + rng.randint(1, 12))
            text = text[:i] + text[i:j] * rng.randint(2, 200) + text[j:]
        elif op == 3:  # change a digit
            digits = [k for k, ch in enumerate(text) if ch.isdigit()]
            if digits:
                k = rng.choice(digits)
                text = text[:k] + rng.choice("0123456789") + text[k + 1:]
        elif op == 4:  # a weird character
            text = text[:i] + rng.choice(WEIRD) + text[i:]
        elif op == 5:  # a comparator run
            text = text[:i] + rng.choice("<>=≥≤") * rng.randint(1, 300) + text[i:]
        elif op == 6:  # line breaks and bullets
            text = text[:i] + rng.choice(["\n", "\n* ", "\r\n1. ", "\n\n", "\n  "]) + text[i:]
        else:  # a huge number
            text = text[:i] + "9" * rng.randint(300, 400) + text[i:]
    return text


def blobs(rng: random.Random, text: str) -> tuple[str, bytes]:
    kind = rng.randrange(6)
    if kind == 0:
        return "bytes:utf-16", text.encode("utf-16")
    if kind == 1:
        return "bytes:random", bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
    if kind == 2:
        raw = bytearray(text.encode("utf-8", "surrogatepass"))
        if raw:
            raw[rng.randrange(len(raw))] = rng.choice([0x00, 0xFF, 0xC3, 0x80])
        return "bytes:broken-utf8", bytes(raw)
    if kind == 3:
        return "bytes:bom", b"\xef\xbb\xbf" + text.encode("utf-8", "replace")
    if kind == 4:
        return "bytes:utf-32", text.encode("utf-32")
    return "bytes:blank", rng.choice([b"", b"   \n\t", b"\n" * 50])


def inputs(seed: int, count: int) -> Iterator[tuple[str, str | bytes]]:
    """``count`` (category, input) pairs: text for the API, bytes for the file reader."""
    rng = random.Random(seed)
    lines = corpus_lines()
    for n in range(count):
        r = n % 10
        if r < 4:
            yield "mutation", mutate(rng, rng.choice(lines))
        elif r < 6:
            yield "soup", soup(rng)
        elif r == 6:
            yield "unicode", unicode_text(rng)
        elif r == 7:
            yield pathological(rng)
        elif r == 8:
            yield blobs(rng, rng.choice(lines))
        else:
            yield "multi-line", "\n".join(mutate(rng, rng.choice(lines))
                                          for _ in range(rng.randint(2, 30)))
