#!/usr/bin/env bash
# The project's one test command (README, and .ci/run in CI): a fresh virtualenv,
# the package with its dev extras, lint, type check, tests, then the eval gates.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'

echo "== ruff"
.venv/bin/ruff check normalizer tests evals scripts
echo "== mypy (strict, package)"
.venv/bin/mypy

echo "== pytest"
set +e
.venv/bin/python -m pytest "$@"
code=$?
set -e
if [ "$code" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure here" >&2
    exit 1
fi
[ "$code" -eq 0 ] || exit "$code"

if [ -x evals/gate.sh ]; then
    echo "== eval gates"
    bash evals/gate.sh
fi
