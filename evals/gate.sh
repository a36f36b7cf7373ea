#!/usr/bin/env bash
# The eval gate CI runs after the tests: the gold eval per split and per extractor,
# the LLM modes on recorded responses (no network), each against evals/thresholds.toml.
# Reports land in evals/results/ (JSON) and as tables on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
mkdir -p evals/results

# The endpoint the cassettes were recorded against (scripts/llm/): replay matches on it.
LLM=(--base-url http://127.0.0.1:8011/v1 --api-key sk-local --model qwen2.5-coder-1.5b-instruct)
# LLM-only runs are on a fixed sample (recording a 1.5B model on CPU costs ~20 s a
# criterion); the sizes must match scripts/llm/record_gold.sh.
SAMPLE_dev=40
SAMPLE_test=20
# The LLM evals run on the gold cases whose requests are recorded: evals/llm_cases/<split>.txt
# (every case added since is scored by the rules eval; record it, then list it).

for split in dev test; do
    echo "== gold $split: rules"
    "$PY" -m normalizer eval --gold "gold/$split.jsonl" --extractor rules \
        --thresholds evals/thresholds.toml --gate "rules.$split" \
        --out "evals/results/gold-rules-$split.json"
    cassette="tests/cassettes/gold/llm-$split.yaml"
    if [ ! -f "$cassette" ]; then
        echo "no recorded LLM responses for $split ($cassette)" >&2
        exit 1
    fi
    echo "== gold $split: hybrid (recorded responses)"
    recorded="@evals/llm_cases/$split.txt"
    "$PY" -m normalizer eval --gold "gold/$split.jsonl" --extractor hybrid "${LLM[@]}" \
        --only "$recorded" --cassette "$cassette" \
        --thresholds evals/thresholds.toml --gate "hybrid.$split" \
        --out "evals/results/gold-hybrid-$split.json"
    sample_var="SAMPLE_$split"
    echo "== gold $split: llm on a ${!sample_var}-case sample (recorded responses), rules beside it"
    "$PY" -m normalizer eval --gold "gold/$split.jsonl" --extractor llm "${LLM[@]}" \
        --only "$recorded" --sample "${!sample_var}" --cassette "$cassette" \
        --thresholds evals/thresholds.toml --gate "llm.$split" \
        --out "evals/results/gold-llm-$split.json"
    "$PY" -m normalizer eval --gold "gold/$split.jsonl" --extractor rules \
        --only "$recorded" --sample "${!sample_var}" \
        --out "evals/results/gold-rules-$split-sample.json" -f json >/dev/null
    echo "== gold $split: LLM suggestions on the recorded criteria the rules leave in review (recorded responses)"
    "$PY" -m normalizer eval --gold "gold/$split.jsonl" --suggestions "${LLM[@]}" \
        --only "$recorded" --cassette "$cassette" \
        --thresholds evals/thresholds.toml --gate "suggestions.$split" \
        --out "evals/results/suggestions-$split.json"
done

