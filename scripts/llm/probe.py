"""Developer probe: one instructor (Mode.TOOLS) extraction against the local LLM.

Not a test and not part of CI. Run with the project's venv: ``live`` and ``prompt`` need
only the package install (openai, instructor); ``record`` and ``replay`` also need vcrpy,
from the dev extras (``.venv/bin/pip install -e '.[dev]'``):

    .venv/bin/python scripts/llm/probe.py live             # live calls: result, usage, latency
    .venv/bin/python scripts/llm/probe.py prompt           # the project's real prompt (extract-v1)
    .venv/bin/python scripts/llm/probe.py record CASSETTE  # same call, recorded with vcrpy
    .venv/bin/python scripts/llm/probe.py replay CASSETTE  # record_mode='none', network blocked

Reads OPENAI_BASE_URL (default http://127.0.0.1:8011/v1), OPENAI_API_KEY (default sk-local)
and NORMALIZER_MODEL (default qwen2.5-coder-1.5b-instruct); PROBE_TIMEOUT seconds (default 600).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import instructor
import openai
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    import vcr

CRITERION = "Platelet count >= 100 x 10^9/L"
OTHER_CRITERION = "Hemoglobin >= 9 g/dL"
SYSTEM_PROMPT = "Extract the lab variable and its bounds from the eligibility criterion."


class Bound(BaseModel):
    """A lab variable with its allowed range, as stated in an eligibility criterion."""

    variable: str = Field(description="The lab variable, e.g. 'platelet count'.")
    lower: float | None = Field(description="Inclusive lower bound, or null.")
    upper: float | None = Field(description="Inclusive upper bound, or null.")
    unit: str | None = Field(description="Unit exactly as written, or null.")


def settings() -> tuple[str, str, str]:
    return (
        os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:8011/v1"),
        os.environ.get("OPENAI_API_KEY", "sk-local"),
        os.environ.get("NORMALIZER_MODEL", "qwen2.5-coder-1.5b-instruct"),
    )


def extract(text: str) -> tuple[Bound, Any, float]:
    base_url, api_key, model = settings()
    timeout = float(os.environ.get("PROBE_TIMEOUT", "600"))
    client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=timeout)
    ic = instructor.from_openai(client, mode=instructor.Mode.TOOLS)
    t0 = time.perf_counter()
    bound, completion = ic.chat.completions.create_with_completion(
        model=model,
        response_model=Bound,
        max_retries=1,  # instructor re-asks: 1 = no re-ask
        temperature=0,
        seed=0,
        messages=[
            {
                "role": "system",
                "content": SYSTEM_PROMPT,
            },
            {"role": "user", "content": text},
        ],
    )
    return bound, completion, time.perf_counter() - t0


def show(bound: Bound, completion: Any, latency: float) -> None:
    print("result   :", bound.model_dump_json())
    print("usage    :", completion.usage.model_dump() if completion.usage else None)
    print(f"latency  : {latency:.2f} s")
    print("raw type :", type(completion).__module__ + "." + type(completion).__qualname__)
    choice = completion.choices[0]
    print("finish   :", choice.finish_reason)
    calls = choice.message.tool_calls or []
    print("toolcalls:", [(c.type, c.function.name, c.function.arguments) for c in calls])
    print("model id :", completion.model, "| system_fingerprint:", completion.system_fingerprint)


def _vcr_module() -> Any:
    try:
        import vcr
    except ImportError:
        sys.exit(
            "record and replay need vcrpy, from the dev extras: "
            ".venv/bin/pip install -e '.[dev]'  (live and prompt do not)"
        )
    return vcr


def my_vcr(record_mode: str) -> vcr.VCR:
    return _vcr_module().VCR(
        record_mode=record_mode,
        match_on=["method", "uri", "body"],
        filter_headers=["authorization"],
    )


def cmd_live(n: int) -> None:
    results = []
    for i in range(n):
        bound, completion, latency = extract(CRITERION)
        print(f"--- live call {i + 1}/{n}")
        show(bound, completion, latency)
        results.append(bound.model_dump_json())
    print("deterministic across calls:", len(set(results)) == 1)


# seed 001 (gold/dev.jsonl): a short criterion, and one holding eight lab limits
REAL_CRITERIA = [
    "ECOG ps 0 to 1.",
    "Neutrophil count ≥1.5\\*109/L, platelet count ≥10.0\\*109/L, hemochrome ≥9g/dL; "
    "Serum creatinine ≤1.5 times the upper limit of normal value; Bilirubin ≤1.5 times the "
    "upper limit of normal value, AST, ALT, AKP≤2.5 times the upper limit of normal value.",
]


def cmd_prompt(texts: list[str]) -> None:
    """Latency of the project's own reading (prompt extract-v1, its budget, its checks)."""
    from normalizer.extract.base import CriterionInput
    from normalizer.llm import LLMExtractor, LLMSettings

    base_url, api_key, model = settings()
    timeout = float(os.environ.get("PROBE_TIMEOUT", "600"))
    reader = LLMExtractor.from_settings(LLMSettings(
        base_url=base_url, api_key=api_key, model=model, timeout=timeout, transport_attempts=1))
    for text in texts:
        before = dict(reader.usage.as_dict())
        t0 = time.perf_counter()
        [read] = reader.extract([CriterionInput("inc-1", "inclusion", text, 0)])
        latency = time.perf_counter() - t0
        after = reader.usage.as_dict()
        spent = {k: after[k] - before.get(k, 0) for k in
                 ("calls", "prompt_tokens", "completion_tokens", "truncated_retries")}
        print(f"--- {text[:60]!r}")
        print(f"latency  : {latency:.1f} s  ({spent})")
        print("read     :", [(c.variable, c.lower, c.upper, c.unit) for c in read.constraints])
        print("findings :", [f.code for f in read.findings])


def cmd_record(cassette: Path) -> None:
    if cassette.exists():
        cassette.unlink()
    with my_vcr("once").use_cassette(str(cassette)) as cass:
        bound, completion, latency = extract(CRITERION)
    show(bound, completion, latency)
    print("recorded interactions:", len(cass.data))
    inspect_cassette(cassette)
    cassette.with_suffix(".expected.json").write_text(bound.model_dump_json())


def inspect_cassette(cassette: Path) -> None:
    import yaml  # comes with vcrpy

    data = yaml.safe_load(cassette.read_text())
    text = cassette.read_text()
    for i, inter in enumerate(data["interactions"]):
        req, resp = inter["request"], inter["response"]
        print(f"interaction {i}: {req['method']} {req['uri']} -> {resp['status']}")
        print("  request headers kept :", sorted(req["headers"]))
        print("  authorization present:", any(k.lower() == "authorization" for k in req["headers"]))
        body = req["body"]
        print("  request body type    :", type(body).__name__)
        try:
            json.loads(body)
            print("  request body is JSON text: yes")
        except (TypeError, ValueError):
            print("  request body is JSON text: NO ->", repr(body)[:200])
        rbody = resp["body"]
        print("  response body keys   :", list(rbody))
        rstr = rbody.get("string")
        try:
            json.loads(rstr)
            print("  response body is JSON text: yes, type", type(rstr).__name__)
        except (TypeError, ValueError):
            print("  response body is JSON text: NO ->", repr(rstr)[:200])
    print("api key leaked into cassette:", settings()[1] in text)


class NetworkBlocked(RuntimeError):
    pass


def block_network() -> None:
    """Make every socket connect fail, so a replay that touches the network errors out."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise NetworkBlocked("network access attempted during replay")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign,assignment]
    socket.create_connection = refuse  # type: ignore[assignment]


def cmd_replay(cassette: Path) -> None:
    if not cassette.exists():
        sys.exit(f"no cassette at {cassette}")
    block_network()
    print("network blocked (socket connect refused) for the replay")
    with my_vcr("none").use_cassette(str(cassette)) as cass:
        bound, completion, latency = extract(CRITERION)
    show(bound, completion, latency)
    print("replayed:", cass.play_count, "of", len(cass.data), "| all played:", cass.all_played)
    expected = cassette.with_suffix(".expected.json")
    if expected.exists():
        print("replay equals recording:", bound.model_dump_json() == expected.read_text())
    # body matching: a different prompt must NOT replay the recorded answer
    try:
        with my_vcr("none").use_cassette(str(cassette)):
            extract(OTHER_CRITERION)
        print("body matching: FAILED (a different prompt replayed the old answer)")
    except Exception as err:  # openai wraps transport errors in APIConnectionError
        chain = []
        e: BaseException | None = err
        while e is not None:
            chain.append(type(e).__name__)
            e = e.__cause__ or e.__context__
        ok = "CannotOverwriteExistingCassetteException" in chain
        print(
            "body matching:",
            "OK (different prompt refused)" if ok else "UNEXPECTED",
            "| exception chain:",
            " <- ".join(chain),
        )


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    live = sub.add_parser("live")
    live.add_argument("-n", type=int, default=3)
    prompt = sub.add_parser("prompt")
    prompt.add_argument("text", nargs="*", help="criteria (default: two from seed 001)")
    for name in ("record", "replay"):
        sp = sub.add_parser(name)
        sp.add_argument("cassette", type=Path)
    args = p.parse_args()
    print(f"openai {openai.__version__} | instructor {instructor.__version__}")
    if args.cmd == "live":
        cmd_live(args.n)
    elif args.cmd == "prompt":
        cmd_prompt(args.text or REAL_CRITERIA)
    elif args.cmd == "record":
        cmd_record(args.cassette)
    else:
        cmd_replay(args.cassette)


if __name__ == "__main__":
    main()
