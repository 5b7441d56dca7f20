#!/usr/bin/env bash
# The test command (see README): runs every test of Yingshang on a fresh
# machine with nothing installed by hand.
#
#  1. PostgreSQL: uses the server at 127.0.0.1:5432 when it answers;
#     otherwise starts a temporary one (installing PostgreSQL with apt if it
#     is absent) and stops it at the end. Both engines are always tested:
#     YINGSHANG_TEST_REQUIRE_POSTGRES=1 makes a missing PostgreSQL a failure.
#  2. Chromium and a CJK font for the end-to-end browser tests, and Node.js with npm for the
#     client-generation test (tools/clientgen): installed with apt if absent.
#  3. go mod tidy must leave go.mod and go.sum unchanged.
#  4. go vet, then go test ./... (unit, storage on SQLite and PostgreSQL,
#     HTTP scenarios, end-to-end in headless Chromium, Go and TypeScript
#     clients generated from the OpenAPI document).
#
# Extra arguments are passed to go test (e.g. scripts/test.sh -run Entity).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# ---- PostgreSQL ------------------------------------------------------------
pg_answers() { # host port
  if command -v pg_isready >/dev/null 2>&1; then pg_isready -q -h "$1" -p "$2" -t 3; else (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; fi
}
# free_port prints a TCP port on 127.0.0.1 that nothing listens on: bound
# with port 0 so the kernel chooses it, then released for PostgreSQL.
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local p
  for ((i = 0; i < 50; i++)); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port found" >&2; return 1
}
TEMP_PG=""
cleanup() {
  if [ -n "$TEMP_PG" ]; then
    log "stopping the temporary PostgreSQL"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$TEMP_PG" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$TEMP_PG"
  fi
}
trap cleanup EXIT

if [ -z "${YINGSHANG_TEST_POSTGRES:-}" ]; then
  if pg_answers 127.0.0.1 5432; then
    export YINGSHANG_TEST_POSTGRES="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
    log "using PostgreSQL at 127.0.0.1:5432"
  else
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
      log "installing PostgreSQL (apt)"
      apt_install postgresql
      PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    TEMP_PG=$(mktemp -d /tmp/yingshang-pg.XXXXXX)
    chown postgres: "$TEMP_PG"
    # A port free now (the kernel picks it), not a fixed one another run
    # or service may hold.
    PG_PORT=$(free_port)
    log "starting a temporary PostgreSQL on 127.0.0.1:$PG_PORT"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$TEMP_PG" -U postgres --auth=trust -E UTF8 >/dev/null
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$TEMP_PG" -w -l "$TEMP_PG/log" \
      -o "-p $PG_PORT -k $TEMP_PG -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
    export YINGSHANG_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
  fi
fi
export YINGSHANG_TEST_REQUIRE_POSTGRES=1

# ---- Chromium --------------------------------------------------------------
if [ -z "${YINGSHANG_CHROMIUM:-}" ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    log "installing Chromium (apt)"
    apt_install chromium
  fi
  # Without a CJK font Chromium draws Chinese as empty boxes in every
  # screenshot.
  if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    log "installing a CJK font (apt: fonts-noto-cjk)"
    apt_install fonts-noto-cjk
  fi
  export YINGSHANG_CHROMIUM=$(command -v chromium)
fi
export YINGSHANG_E2E=1

# ---- Node.js (generated TypeScript client, OpenAPI lint) --------------------
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  log "installing Node.js and npm (apt)"
  apt_install nodejs npm
fi

# ---- Go --------------------------------------------------------------------
export CGO_ENABLED=0
log "go mod tidy -diff (go.mod and go.sum must be tidy)"
if ! go mod tidy -diff; then
  log "go.mod/go.sum are not tidy: run 'go mod tidy' and commit the result"
  exit 1
fi
log "go vet"
go vet ./...
log "go test (SQLite + PostgreSQL + browser)"
go test -count=1 -timeout 40m "$@" ./...
