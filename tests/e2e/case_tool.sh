#!/usr/bin/env bash
# case_tool.sh - sgcase, the shared case runner as a command (tests/unit/sgcase.c), as the e2e
# runners use it: `review` prints the AdmissionReview a case describes (from a file and from
# stdin, with --uid), `check` exits 0 on a response that meets the case, 1 with one line per
# problem and the planted secret withheld, 2 on usage errors, unreadable files and malformed
# cases. The library itself is tested by tests/unit/test_casefile.c. Env: SCHEMAGATE_CASE_TOOL,
# SCHEMAGATE_ROOT, TEST_TMP.
set -uo pipefail

: "${SCHEMAGATE_CASE_TOOL:?set SCHEMAGATE_CASE_TOOL to BUILD/tests/sgcase}"
: "${TEST_TMP:?set TEST_TMP to a scratch directory}"
T=$SCHEMAGATE_CASE_TOOL
[ -x "$T" ] || { echo "not ok - $T is not an executable; make check builds it"; exit 1; }
W=$(mktemp -d "$TEST_TMP/case_tool.XXXXXX")

failures=0
check() {   # check WHAT WANT_RC GOT_RC [CONDITION_RC]
  if [ "$2" = "$3" ] && [ "${4:-0}" = 0 ]; then echo "ok - $1"; else
    echo "not ok - $1 (exit $3, expected $2)"; failures=$((failures + 1)); fi
}
run() {   # run NAME ARGS... (stdin passed on): leaves $W/NAME.out, .err; returns the exit status
  local name=$1; shift
  "$T" "$@" >"$W/$name.out" 2>"$W/$name.err"
  local rc=$?
  if grep -q Sanitizer "$W/$name.err"; then echo "not ok - no sanitizer report: sgcase $*"; failures=$((failures + 1)); fi
  return $rc
}

cat >"$W/case.json" <<'EOF'
{"description": "t", "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}},
 "expect": {"allowed": false, "message": ["PASSWORD"], "secrets": ["hunter2-e2e"]}}
EOF
good='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":false,"status":{"code":403,"message":"PASSWORD in env"}}}'
leak='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true,"warnings":["hunter2-e2e"]}}'

run review review "$W/case.json"; rc=$?
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["request"]; sys.exit(not (r["uid"] == "case-0000" and r["namespace"] == "shop" and r["name"] == "p"))' "$W/review.out"
check "review prints the wrapped case" 0 $rc $?
run review_uid review - --uid abc <"$W/case.json"; rc=$?
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["request"]["uid"] != "abc")' "$W/review_uid.out"
check "review reads the case from stdin and takes --uid" 0 $rc $?

echo "$good" | run good check "$W/case.json" -; rc=$?
[ ! -s "$W/good.out" ]
check "check: a response meeting the case exits 0 and prints nothing" 0 $rc $?
echo "$leak" >"$W/leak.json"
run leak check "$W/case.json" "$W/leak.json"; rc=$?
grep -q '^allowed, expected denied$' "$W/leak.out" && grep -q '^message lacks "PASSWORD"$' "$W/leak.out" &&
  grep -q '^planted secret expect.secrets\[0\] appears in the response$' "$W/leak.out" && grep -q '^response: ' "$W/leak.out"
check "check: every problem on a line of its own, then the response" 1 $rc $?
! grep -q hunter2-e2e "$W/leak.out" "$W/leak.err"
check "check: the planted secret is withheld from the report" 1 $rc $?

run usage1 bogus; check "usage error exits 2" 2 $?
run usage2 check - - </dev/null; check "check with both files on stdin exits 2" 2 $?
run missing check "$W/nope.json" "$W/leak.json"; check "an unreadable case exits 2" 2 $?
echo '{"object": {"kind": "Pod"}}' >"$W/bad.json"
run bad review "$W/bad.json"; rc=$?
grep -q apiVersion "$W/bad.err"
check "a malformed case exits 2 and says why" 2 $rc $?

echo "checks: $failures failed"
[ "$failures" -eq 0 ]
