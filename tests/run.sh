#!/usr/bin/env bash
# tests/run.sh BUILD_DIR BIN_DIR - runs the whole suite against one build:
#   1. every cmocka binary BUILD_DIR/tests/test_*  (unit tests and the data-driven case runner)
#   2. every tests/e2e/*.sh and tests/e2e/*.py     (end to end: review CLI, HTTPS, PostgreSQL)
# Each e2e script prints "ok - ..." / "not ok - ..." lines and exits non-zero on failure; it
# gets SCHEMAGATE_BIN_DIR, SCHEMAGATE_ROOT, SCHEMAGATE_CASE_TOOL (BUILD_DIR/tests/sgcase, which
# wraps and checks test cases) and a private TEST_TMP. Ends with the plain
# "N passed, N failed" line. TESTS=pattern runs only the suites whose name contains pattern.
# Suites that run no schemagate code (they test the test harness and the migration tools) carry
# the line "# sanitizer-build: not needed" and run once, in the plain build, not again under the
# sanitizers (SCHEMAGATE_SANITIZED=1).
set -uo pipefail
build=${1:?usage: tests/run.sh BUILD_DIR BIN_DIR}
bin=${2:?usage: tests/run.sh BUILD_DIR BIN_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
export SCHEMAGATE_ROOT=$root
export SCHEMAGATE_BIN_DIR=$(cd "$bin" && pwd)
export SCHEMAGATE_CASE_TOOL=$(cd "$build" && pwd)/tests/sgcase
# Leaks are errors under the sanitizer build; a finding aborts the suite that hit it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0 failed=0 failed_names=()
run_suite() {
  local name=$1; shift
  case "$name" in *"${TESTS:-}"*) ;; *) return ;; esac
  if [ -n "${SCHEMAGATE_SANITIZED:-}" ] && [ -f "${!#}" ] && grep -q '^# sanitizer-build: not needed' "${!#}"; then
    echo "=== $name: runs no schemagate code; covered by the plain build"
    return
  fi
  local tmp; tmp=$(mktemp -d /tmp/schemagate-test.XXXXXX)
  chmod 755 "$tmp"
  echo "=== $name"
  local start=$SECONDS
  if TEST_TMP=$tmp "$@"; then
    passed=$((passed + 1)); echo "--- PASS $name ($((SECONDS - start))s)"
  else
    failed=$((failed + 1)); failed_names+=("$name"); echo "--- FAIL $name ($((SECONDS - start))s)"
  fi
  rm -rf "$tmp"
}

for t in "$build"/tests/test_*; do
  [ -x "$t" ] || continue
  run_suite "unit/$(basename "$t")" "$t"
done
for t in "$root"/tests/e2e/*.sh "$root"/tests/e2e/*.py; do
  [ -f "$t" ] || continue
  case "$t" in *.py) run_suite "e2e/$(basename "$t")" /usr/bin/python3 "$t" ;;
               *)    run_suite "e2e/$(basename "$t")" bash "$t" ;; esac
done

echo
[ "$failed" -gt 0 ] && printf 'failed suite: %s\n' "${failed_names[@]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
