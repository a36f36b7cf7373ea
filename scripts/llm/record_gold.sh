#!/usr/bin/env bash
# Record (or top up) the LLM responses that CI replays for the gold eval.
# Needs the local server (scripts/llm/serve.sh). Only requests missing from a cassette
# reach the server (record mode new_episodes): after a rules change that routes new
# criteria to the LLM, rerun this to add them; after a prompt, schema or model change,
# delete the cassettes first (nothing old would match).
# Steps can be picked: record_gold.sh hybrid-dev llm-dev hybrid-test llm-test batching
#   suggest-dev suggest-test (the suggestion eval: the criteria the rules leave in review)
# Every step records the gold cases listed in evals/llm_cases/<split>.txt (the set the
# gate's LLM evals run on): to bring new gold cases in, add their ids there, then record.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
LLM=(--base-url http://127.0.0.1:8011/v1 --api-key sk-local --model qwen2.5-coder-1.5b-instruct)
# the sample sizes must match evals/gate.sh
SAMPLE_dev=40
SAMPLE_test=20
mkdir -p tests/cassettes/gold evals/results
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(hybrid-dev llm-dev hybrid-test llm-test suggest-dev suggest-test batching)
for step in "${steps[@]}"; do
    echo "== $step ($(date +%T))"
    case "$step" in
        hybrid-dev|hybrid-test)
            split=${step#hybrid-}
            "$PY" -m normalizer eval --gold "gold/$split.jsonl" --extractor hybrid "${LLM[@]}" \
                --only "@evals/llm_cases/$split.txt" --cassette "tests/cassettes/gold/llm-$split.yaml" --record \
                --out "evals/results/gold-hybrid-$split.json" -f json >/dev/null ;;
        llm-dev|llm-test)
            split=${step#llm-}
            sample_var="SAMPLE_$split"
            "$PY" -m normalizer eval --gold "gold/$split.jsonl" --extractor llm "${LLM[@]}" \
                --only "@evals/llm_cases/$split.txt" --sample "${!sample_var}" --cassette "tests/cassettes/gold/llm-$split.yaml" \
                --record --out "evals/results/gold-llm-$split.json" -f json >/dev/null ;;
        suggest-dev|suggest-test)
            # same requests as llm/hybrid mode (one criterion each): tops up llm-<split>.yaml
            split=${step#suggest-}
            "$PY" -m normalizer eval --gold "gold/$split.jsonl" --suggestions "${LLM[@]}" \
                --only "@evals/llm_cases/$split.txt" \
                --cassette "tests/cassettes/gold/llm-$split.yaml" \
                --record --out "evals/results/suggestions-$split.json" -f json >/dev/null ;;
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
