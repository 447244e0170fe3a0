#!/usr/bin/env bash
# Short, repeatable fuzz runs (tests/fuzz/run.sh): each libFuzzer harness for a few seconds with
# a fixed seed on a corpus of the checked-in seeds only, so `make test` catches a regression the
# harnesses know about; `make fuzz` runs them longer on a corpus that grows.
# sanitizer-build: not needed
set -uo pipefail
root=${SCHEMAGATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export TEST_TMP=${TEST_TMP:-$(mktemp -d)}
seconds=${FUZZ_SHORT_SECONDS:-3}
status=0
for target in yaml jsonarena shell; do
  if out=$(FUZZ_OUT="$TEST_TMP/fuzz" FUZZ_FRESH=1 FUZZ_SEED=1 "$root/tests/fuzz/run.sh" "$seconds" "$target" 2>&1); then
    echo "ok - fuzz_$target: ${seconds}s, seed 1, no finding ($(echo "$out" | grep -o 'units: [0-9]*' | tail -1))"
  else
    echo "not ok - fuzz_$target"
    echo "$out" | sed 's/^/    /'
    status=1
  fi
done
exit $status
