# shellcheck shell=bash
# Sourced by .ci/run: start PostgreSQL (Debian packages) and a Chroma server on 127.0.0.1 for the
# test run, export their URLs, and stop both when the sourcing shell exits.
#
#   AGENT_UX_LAB_TEST_PG      postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/agent_ux_lab_test
#   AGENT_UX_LAB_TEST_CHROMA  http://127.0.0.1:$CHROMA_PORT
#
# Knobs: AGENT_UX_LAB_PG_PORT (54329), AGENT_UX_LAB_CHROMA_PORT (8011), AGENT_UX_LAB_NO_SERVICES=1
# (skip: the server-backend tests are then skipped with a reason). Needs .venv (bootstrap first).

ci_services_stop() {
  if [ -n "${_CI_CHROMA_PID:-}" ]; then
    kill "$_CI_CHROMA_PID" 2>/dev/null || true
    wait "$_CI_CHROMA_PID" 2>/dev/null || true
  fi
  if [ -n "${_CI_PG_DIR:-}" ] && [ -f "$_CI_PG_DIR/pg/postmaster.pid" ]; then
    _ci_as_pg "$_CI_PGBIN/pg_ctl" -D "$_CI_PG_DIR/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [ -n "${_CI_PG_DIR:-}" ] && rm -rf "$_CI_PG_DIR"
  _CI_CHROMA_PID= _CI_PG_DIR=
}

_ci_as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_ci_wait() {  # _ci_wait SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

ci_services_start() {
  local pg_port=${AGENT_UX_LAB_PG_PORT:-54329} chroma_port=${AGENT_UX_LAB_CHROMA_PORT:-8011}
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "ci_services: installing PostgreSQL from Debian's packages" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi

  _CI_PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  _CI_PG_DIR=$(mktemp -d /tmp/agent-ux-lab-ci.XXXXXX)
  chmod 755 "$_CI_PG_DIR"
  mkdir -p "$_CI_PG_DIR/pg" "$_CI_PG_DIR/chroma"
  [ "$(id -u)" = 0 ] && chown postgres "$_CI_PG_DIR/pg"
  trap ci_services_stop EXIT

  _ci_as_pg "$_CI_PGBIN/initdb" -D "$_CI_PG_DIR/pg" -U postgres -A trust --no-sync -E UTF8 >/dev/null
  _ci_as_pg "$_CI_PGBIN/pg_ctl" -D "$_CI_PG_DIR/pg" -l "$_CI_PG_DIR/pg/server.log" -w \
    -o "-h 127.0.0.1 -p $pg_port -k $_CI_PG_DIR/pg -F" start >/dev/null
  _ci_wait 30 "$_CI_PGBIN/pg_isready" -h 127.0.0.1 -p "$pg_port" || {
    echo "ci_services: PostgreSQL did not start" >&2; cat "$_CI_PG_DIR/pg/server.log" >&2; return 1; }
  "$_CI_PGBIN/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres agent_ux_lab_test

  ANONYMIZED_TELEMETRY=False .venv/bin/chroma run --host 127.0.0.1 --port "$chroma_port" \
    --path "$_CI_PG_DIR/chroma" >"$_CI_PG_DIR/chroma.log" 2>&1 &
  _CI_CHROMA_PID=$!
  _ci_wait 60 .venv/bin/python -c \
    "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$chroma_port/api/v2/heartbeat', timeout=1)" || {
    echo "ci_services: Chroma did not start" >&2; tail -20 "$_CI_PG_DIR/chroma.log" >&2; return 1; }

  export AGENT_UX_LAB_TEST_PG="postgresql+psycopg://postgres@127.0.0.1:$pg_port/agent_ux_lab_test"
  export AGENT_UX_LAB_TEST_CHROMA="http://127.0.0.1:$chroma_port"
  echo "ci_services: PostgreSQL on :$pg_port, Chroma on :$chroma_port" >&2
}

if [ "${AGENT_UX_LAB_NO_SERVICES:-0}" != 1 ] && [ -z "${AGENT_UX_LAB_TEST_PG:-}" ]; then
  # A registry hiccup must not hide the rest of the suite: without the services the
  # server-backend tests skip, naming the reason.
  ci_services_start || {
    echo "ci_services: PostgreSQL/Chroma could not start; server-backend tests will be skipped" >&2
    ci_services_stop
    unset AGENT_UX_LAB_TEST_PG AGENT_UX_LAB_TEST_CHROMA
  }
fi
