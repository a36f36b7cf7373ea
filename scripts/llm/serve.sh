#!/usr/bin/env bash
# Developer-only: run the local llama.cpp OpenAI-compatible server set up by
# scripts/llm/setup.sh. Binds 127.0.0.1 only. Never part of CI.
#
#   scripts/llm/serve.sh [start]   start in the background, wait until ready
#   scripts/llm/serve.sh stop      stop it
#   scripts/llm/serve.sh status    exit 0 if running (ready or busy), 1 otherwise
#
# Environment overrides:
#   LLM_PORT           port (default 8011)
#   LLM_N_CTX          context size (default 4096)
#   LLM_N_THREADS      CPU threads (default 2)
#   LLM_READY_TIMEOUT  seconds to wait for readiness (default 120)
#   LLM_MODEL_ALIAS    model id the server reports (default qwen2.5-coder-1.5b-instruct)
#   LLM_MLOCK          lock the model in RAM (default true): this VM's kernel runs a
#                      DAMON "pageout" scheme that can evict idle, mmapped weights, so
#                      the first request after a pause could be much slower.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LLM_DIR="$REPO_ROOT/.llm"
VENV="$LLM_DIR/venv"
MODEL="$LLM_DIR/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PID_FILE="$LLM_DIR/server.pid"
LOG_FILE="$LLM_DIR/server.log"

HOST="127.0.0.1"
PORT="${LLM_PORT:-8011}"
N_CTX="${LLM_N_CTX:-4096}"
N_THREADS="${LLM_N_THREADS:-2}"
READY_TIMEOUT="${LLM_READY_TIMEOUT:-120}"
MODEL_ALIAS="${LLM_MODEL_ALIAS:-qwen2.5-coder-1.5b-instruct}"
MLOCK="${LLM_MLOCK:-true}"
URL="http://$HOST:$PORT/v1/models"

log() { printf '[llm-serve] %s\n' "$*"; }
die() { printf '[llm-serve] ERROR: %s\n' "$*" >&2; exit 1; }

# Pid from the pid file if that process is alive and is our server; else empty.
server_pid() {
    [[ -f "$PID_FILE" ]] || return 0
    local pid
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    if kill -0 "$pid" 2>/dev/null \
        && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'llama_cpp.server'; then
        echo "$pid"
    fi
}

is_ready() { curl -fsS --max-time "${1:-2}" "$URL" >/dev/null 2>&1; }
# The port accepts connections (true even while a long generation holds the
# server's lock, during which /v1/models itself does not answer).
is_listening() { timeout 2 bash -c ": </dev/tcp/$HOST/$PORT" 2>/dev/null; }

cmd_status() {
    local pid
    pid="$(server_pid)"
    if [[ -z "$pid" ]]; then
        log "not running (no live server pid in $PID_FILE)"
        return 1
    fi
    if is_ready 5; then
        log "running, ready: pid $pid, $URL, log $LOG_FILE"
        return 0
    fi
    if is_listening; then
        log "running, busy (port open, $URL did not answer in 5s: a request is in progress): pid $pid, log $LOG_FILE"
        return 0
    fi
    log "running but not listening yet: pid $pid, log $LOG_FILE"
    return 1
}

cmd_start() {
    local pid
    pid="$(server_pid)"
    if [[ -n "$pid" ]] && is_listening; then
        log "already running (pid $pid)"
        cmd_status || true
        return 0
    elif [[ -n "$pid" ]]; then
        log "already starting (pid $pid); waiting for readiness"
    else
        [[ -x "$VENV/bin/python" ]] || die "no venv at $VENV: run scripts/llm/setup.sh first"
        [[ -f "$MODEL" ]] || die "no model at $MODEL: run scripts/llm/setup.sh first"
        if is_listening; then
            die "something else already listens on $HOST:$PORT (not started by this script)"
        fi
        rm -f "$PID_FILE"
        log "starting llama_cpp.server on $HOST:$PORT (log: $LOG_FILE)"
        # setsid: own session, so the server outlives this shell and its job control.
        setsid nohup "$VENV/bin/python" -m llama_cpp.server \
            --model "$MODEL" \
            --model_alias "$MODEL_ALIAS" \
            --host "$HOST" --port "$PORT" \
            --n_ctx "$N_CTX" --n_threads "$N_THREADS" \
            --use_mlock "$MLOCK" \
            > "$LOG_FILE" 2>&1 < /dev/null &
        pid=$!
        echo "$pid" > "$PID_FILE"
    fi

    local waited=0
    until is_ready; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$PID_FILE"
            tail -n 30 "$LOG_FILE" >&2 || true
            die "server exited during startup; see $LOG_FILE"
        fi
        if (( waited >= READY_TIMEOUT )); then
            tail -n 30 "$LOG_FILE" >&2 || true
            die "server (pid $pid) not ready after ${READY_TIMEOUT}s; still running, stop it with: $0 stop"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    log "ready after ${waited}s: pid $pid, $URL (model id '$MODEL_ALIAS')"
    log "export OPENAI_BASE_URL=http://$HOST:$PORT/v1 OPENAI_API_KEY=sk-local NORMALIZER_MODEL=$MODEL_ALIAS"
}

cmd_stop() {
    local pid
    pid="$(server_pid)"
    if [[ -z "$pid" ]]; then
        log "not running"
        rm -f "$PID_FILE"
        return 0
    fi
    log "stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid still alive after 10s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PID_FILE"
    log "stopped"
}

case "${1:-start}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_stop; cmd_start ;;
    *) die "usage: $0 [start|stop|status|restart]" ;;
esac
