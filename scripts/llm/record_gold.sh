#!/usr/bin/env bash
# Record (or top up) the LLM responses that CI replays for the gold eval.
# Needs the local server (scripts/llm/serve.sh). Only requests missing from a cassette
# reach the server (record mode new_episodes): after a rules change that routes new
# criteria to the LLM, rerun this to add them; after a prompt, schema or model change,
# delete the cassettes first (nothing old would match).
# Steps can be picked: record_gold.sh hybrid-dev llm-dev hybrid-test llm-test batching
#   suggest-dev (the suggestion eval: the criteria the rules leave in review, on a sample)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
LLM=(--base-url http://127.0.0.1:8011/v1 --api-key sk-local --model qwen2.5-coder-1.5b-instruct)
# the sample sizes must match evals/gate.sh
SAMPLE_dev=40
SAMPLE_test=20
SAMPLE_suggest_dev=15
mkdir -p tests/cassettes/gold evals/results
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(hybrid-dev llm-dev hybrid-test llm-test suggest-dev batching)
for step in "${steps[@]}"; do
    echo "== $step ($(date +%T))"
    case "$step" in
        hybrid-dev|hybrid-test)
            split=${step#hybrid-}
            "$PY" -m normalizer eval --gold "gold/$split.jsonl" --extractor hybrid "${LLM[@]}" \
                --cassette "tests/cassettes/gold/llm-$split.yaml" --record \
                --out "evals/results/gold-hybrid-$split.json" -f json >/dev/null ;;
        llm-dev|llm-test)
            split=${step#llm-}
            sample_var="SAMPLE_$split"
            "$PY" -m normalizer eval --gold "gold/$split.jsonl" --extractor llm "${LLM[@]}" \
                --sample "${!sample_var}" --cassette "tests/cassettes/gold/llm-$split.yaml" \
                --record --out "evals/results/gold-llm-$split.json" -f json >/dev/null ;;
        suggest-dev)
            # same requests as llm/hybrid mode (one criterion each): tops up llm-dev.yaml
            "$PY" -m normalizer eval --gold gold/dev.jsonl --suggestions "${LLM[@]}" \
                --sample "$SAMPLE_suggest_dev" --cassette tests/cassettes/gold/llm-dev.yaml \
                --record --out evals/results/suggestions-dev.json -f json >/dev/null ;;
        batching)
            # one seed record, 1 criterion per request vs 4 (same record) per request
            for b in 1 4; do
                "$PY" -m normalizer eval --gold gold/dev.jsonl --only seed-001 --extractor llm \
                    "${LLM[@]}" --batch-size "$b" \
                    --cassette "tests/cassettes/gold/llm-seeds-b$b.yaml" --record \
                    --out "evals/results/gold-llm-seed001-b$b.json" -f json >/dev/null
            done ;;
        *) echo "unknown step $step" >&2; exit 2 ;;
    esac
done
echo "== done ($(date +%T))"
