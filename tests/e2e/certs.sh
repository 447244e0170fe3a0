#!/usr/bin/env bash
# certs.sh - end-to-end checks of schemagate-certs: files and modes, certificate contents, a real
# TLS handshake with curl (accepted for covered names, refused otherwise), CA reuse, --check,
# --ca-bundle, --secret-manifest and usage errors. Env: SCHEMAGATE_BIN_DIR, TEST_TMP.
set -euo pipefail

: "${SCHEMAGATE_BIN_DIR:?set SCHEMAGATE_BIN_DIR to the directory holding schemagate-certs}"
: "${TEST_TMP:?set TEST_TMP to a scratch directory}"
CERTS="$SCHEMAGATE_BIN_DIR/schemagate-certs"
[ -x "$CERTS" ] || { echo "not ok - $CERTS is not an executable; build it first"; exit 1; }
for tool in openssl curl base64 cmp; do
  command -v "$tool" >/dev/null || { echo "not ok - $tool is needed by this test"; exit 1; }
done
mkdir -p "$TEST_TMP"
WORK=$(mktemp -d "$TEST_TMP/certs.XXXXXX")

failures=0
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

ok()     { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; failures=$((failures + 1)); }
check()  { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else not_ok "$what"; fi; }

# run ARGS...: runs schemagate-certs; sets RC, OUT (stdout file) and ERR (stderr file). A sanitizer
# report on stderr (ASan, UBSan, LeakSanitizer) is always a failure.
OUT="$WORK/stdout"
ERR="$WORK/stderr"
run() {
  RC=0
  "$CERTS" "$@" >"$OUT" 2>"$ERR" || RC=$?
  if grep -q "Sanitizer" "$ERR"; then
    not_ok "no sanitizer report for: schemagate-certs $*"
    sed 's/^/#   /' "$ERR" | head -40
  fi
}
expect_rc() {
  local want=$1 what=$2
  if [ "$RC" = "$want" ]; then ok "$what"; else
    not_ok "$what (exit $RC, wanted $want)"
    sed 's/^/#   /' "$ERR" | head -5
  fi
}
file_mode() { stat -c %a "$1"; }
sans() { openssl x509 -in "$1" -noout -ext subjectAltName; }

# ---------------------------------------------------------------- generation
DIR="$WORK/nested/out"
run --out "$DIR" --service schemagate --namespace sg-test --dns extra.example.test \
    --ip 127.0.0.1 --ip ::1
expect_rc 0 "generates CA and serving certificate into a new nested directory"
for f in ca.crt ca.key tls.crt tls.key; do check "writes $f" test -s "$DIR/$f"; done
check "tls.key has mode 0600" test "$(file_mode "$DIR/tls.key")" = 600
check "ca.key has mode 0600" test "$(file_mode "$DIR/ca.key")" = 600
check "tls.crt has mode 0644" test "$(file_mode "$DIR/tls.crt")" = 644
check "ca.crt has mode 0644" test "$(file_mode "$DIR/ca.crt")" = 644
check "created output directory has mode 0755" test "$(file_mode "$DIR")" = 755
check "no temporary files left behind" test "$(ls -A "$DIR" | wc -l)" = 4
check "tls.key is PKCS#8 PEM" grep -q "^-----BEGIN PRIVATE KEY-----$" "$DIR/tls.key"
check "status goes to stderr, nothing to stdout" test ! -s "$OUT"

SAN_TEXT=$(sans "$DIR/tls.crt")
for name in DNS:schemagate.sg-test.svc DNS:schemagate.sg-test.svc.cluster.local DNS:schemagate.sg-test \
            DNS:schemagate DNS:extra.example.test "IP Address:127.0.0.1" "IP Address:0:0:0:0:0:0:0:1"; do
  check "SAN has $name" grep -qF "$name" <<<"$SAN_TEXT"
done
TEXT=$(openssl x509 -in "$DIR/tls.crt" -noout -text)
check "CN is the first DNS name" grep -q "Subject: CN *= *schemagate.sg-test.svc$" <<<"$TEXT"
check "serving cert is ECDSA P-256" grep -q "NIST CURVE: P-256" <<<"$TEXT"
check "serving cert is signed with SHA-256" grep -q "ecdsa-with-SHA256" <<<"$TEXT"
check "serving cert has CA:FALSE" grep -q "CA:FALSE" <<<"$TEXT"
check "serving cert has serverAuth" grep -q "TLS Web Server Authentication" <<<"$TEXT"
check "serving cert has authorityKeyIdentifier" grep -q "Authority Key Identifier" <<<"$TEXT"
SERIAL=$(openssl x509 -in "$DIR/tls.crt" -noout -serial | cut -d= -f2)
check "serial is a random 128-bit number (>= 15 bytes)" test "${#SERIAL}" -ge 30
CA_TEXT=$(openssl x509 -in "$DIR/ca.crt" -noout -text)
check "CA has critical CA:TRUE" grep -A1 -q "Basic Constraints: critical" <<<"$CA_TEXT"
check "CA has CA:TRUE" grep -q "CA:TRUE" <<<"$CA_TEXT"
check "CA has keyCertSign and cRLSign" grep -q "Certificate Sign, CRL Sign" <<<"$CA_TEXT"
check "CA has subjectKeyIdentifier" grep -q "Subject Key Identifier" <<<"$CA_TEXT"
check "serving cert verifies against ca.crt" openssl verify -CAfile "$DIR/ca.crt" "$DIR/tls.crt"
check "tls.key matches tls.crt" test "$(openssl x509 -in "$DIR/tls.crt" -noout -pubkey)" = \
  "$(openssl pkey -in "$DIR/tls.key" -pubout)"
NOT_BEFORE=$(date -d "$(openssl x509 -in "$DIR/tls.crt" -noout -startdate | cut -d= -f2)" +%s)
check "notBefore is backdated about 5 minutes" test $(( $(date +%s) - NOT_BEFORE )) -ge 240
check "default validity is 365 days" openssl x509 -in "$DIR/tls.crt" -noout -checkend $((364 * 86400))
check "validity is not more than 365 days" bash -c "! openssl x509 -in '$DIR/tls.crt' -noout -checkend $((366 * 86400))"

# ---------------------------------------------------------------- a real TLS server
start_server() {  # start_server ADDRESS: s_server on ADDRESS:<free port>; sets PORT, SERVER_PID
  local tries
  for tries in 1 2 3 4 5 6 7 8 9 10; do
    PORT=$((20000 + RANDOM % 40000))
    openssl s_server -cert "$DIR/tls.crt" -key "$DIR/tls.key" -accept "$1:$PORT" -www \
      >"$WORK/server.log" 2>&1 </dev/null &
    SERVER_PID=$!
    for _ in $(seq 50); do
      grep -q ACCEPT "$WORK/server.log" 2>/dev/null && return 0
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    stop_server
  done
  return 1
}
stop_server() {
  cleanup
  SERVER_PID=""
}
tls_get() {  # tls_get NAME: HTTPS GET to NAME on the server, pinned to 127.0.0.1
  curl -sS --max-time 10 --cacert "$DIR/ca.crt" --resolve "$1:$PORT:127.0.0.1" \
    -o /dev/null "https://$1:$PORT/" 2>"$WORK/curl.err"
}
if start_server 127.0.0.1; then
  ok "openssl s_server serves tls.crt/tls.key on 127.0.0.1:$PORT"
  check "curl --cacert ca.crt accepts schemagate.sg-test.svc" tls_get schemagate.sg-test.svc
  check "curl --cacert ca.crt accepts schemagate.sg-test.svc.cluster.local" tls_get schemagate.sg-test.svc.cluster.local
  check "curl --cacert ca.crt accepts extra.example.test" tls_get extra.example.test
  check "curl --cacert ca.crt accepts https://127.0.0.1" \
    curl -sS --max-time 10 --cacert "$DIR/ca.crt" -o /dev/null "https://127.0.0.1:$PORT/"
  RC=0; tls_get not-covered.example.test || RC=$?
  if [ "$RC" = 60 ] || [ "$RC" = 51 ]; then ok "curl refuses a name the certificate does not cover"
  else not_ok "curl refuses a name the certificate does not cover (curl exit $RC)"; fi
  RC=0; curl -sS --max-time 10 -o /dev/null "https://127.0.0.1:$PORT/" 2>/dev/null || RC=$?
  check "curl without --cacert refuses the private CA" test "$RC" != 0
  stop_server
else
  not_ok "openssl s_server serves tls.crt/tls.key (could not start it; see $WORK/server.log)"
fi
# IPv6 needs a ::1 loopback, which some containers lack; skip (not fail) without one.
if start_server "[::1]"; then
  check "curl --cacert ca.crt accepts https://[::1]" \
    curl -sS --max-time 10 --cacert "$DIR/ca.crt" -o /dev/null "https://[::1]:$PORT/"
  stop_server
else
  ok "curl --cacert ca.crt accepts https://[::1] # SKIP no IPv6 loopback"
fi

# ---------------------------------------------------------------- --ca-bundle
run --out "$DIR" --ca-bundle
expect_rc 0 "--ca-bundle alone prints the existing caBundle"
check "--ca-bundle output is a single line" test "$(wc -l <"$OUT")" = 1
check "--ca-bundle output decodes to ca.crt" cmp <(base64 -d <"$OUT") "$DIR/ca.crt"
cp "$DIR/tls.crt" "$WORK/tls.before"
run --out "$DIR" --ca-bundle
check "--ca-bundle alone does not regenerate tls.crt" cmp "$DIR/tls.crt" "$WORK/tls.before"

FRESH="$WORK/fresh"
run --out "$FRESH" --service web --namespace shop --ca-bundle
expect_rc 0 "--ca-bundle with names generates and prints in one run"
check "that caBundle decodes to the new ca.crt" cmp <(base64 -d <"$OUT") "$FRESH/ca.crt"

run --out "$WORK/absent" --ca-bundle
expect_rc 2 "--ca-bundle alone on a directory without ca.crt fails"
check "that error names the missing file" grep -q "absent/ca.crt not found" "$ERR"

# ---------------------------------------------------------------- rotation reuses the CA
cp "$DIR/ca.crt" "$WORK/ca.before"
cp "$DIR/tls.crt" "$WORK/tls.before"
run --out "$DIR" --service schemagate --namespace sg-test
expect_rc 0 "rerun on a directory with ca.crt + ca.key succeeds"
check "rerun reports that the CA was reused" grep -q "reused the CA" "$ERR"
check "rerun keeps ca.crt byte for byte" cmp "$DIR/ca.crt" "$WORK/ca.before"
check "rerun writes a new tls.crt" bash -c "! cmp -s '$DIR/tls.crt' '$WORK/tls.before'"
check "the new tls.crt verifies against the unchanged ca.crt" openssl verify -CAfile "$WORK/ca.before" "$DIR/tls.crt"
check "the new tls.key matches the new tls.crt" test "$(openssl x509 -in "$DIR/tls.crt" -noout -pubkey)" = \
  "$(openssl pkey -in "$DIR/tls.key" -pubout)"
check "tls.key is still 0600 after rotation" test "$(file_mode "$DIR/tls.key")" = 600

# A CA brought from elsewhere: RSA, no subjectKeyIdentifier, 30 days left.
EXT="$WORK/external"
mkdir -p "$EXT"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$EXT/ca.key" -out "$EXT/ca.crt" -subj /CN=external-ca \
  -days 30 -addext "subjectKeyIdentifier=none" -addext "authorityKeyIdentifier=none" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
run --out "$EXT" --dns ext.example.test
expect_rc 2 "refuses a serving cert that would outlive the reused CA"
check "that error says which --days fits" grep -Eq "use --days (29|30) or less" "$ERR"
check "nothing is written when refusing" test ! -e "$EXT/tls.crt"
run --out "$EXT" --dns ext.example.test --days 20
expect_rc 0 "signs with an external RSA CA that has no subjectKeyIdentifier"
check "that cert verifies against the external CA" openssl verify -CAfile "$EXT/ca.crt" "$EXT/tls.crt"

# ---------------------------------------------------------------- defaults
DEF="$WORK/defaults"
run --out "$DEF"
expect_rc 0 "--out alone generates with the default names"
SAN_TEXT=$(sans "$DEF/tls.crt")
for name in DNS:schemagate.schemagate-system.svc DNS:schemagate.schemagate-system.svc.cluster.local \
            DNS:localhost "IP Address:127.0.0.1"; do
  check "default SAN has $name" grep -qF "$name" <<<"$SAN_TEXT"
done

# ---------------------------------------------------------------- --check
run --check "$DIR/tls.crt"
expect_rc 0 "--check on a fresh certificate exits 0"
check "--check prints the subject" grep -q "^subject: *CN=schemagate.sg-test.svc$" "$OUT"
check "--check prints the names" grep -q "^names: .*DNS:schemagate.sg-test.svc.cluster.local" "$OUT"
check "--check prints notAfter in RFC 3339 UTC" grep -Eq "^not after: *[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$" "$OUT"
check "--check prints days left" grep -Eq "^days left: *36[45]$" "$OUT"
SHORT="$WORK/short"
run --out "$SHORT" --dns short.example.test --days 10
expect_rc 0 "--days 10 generates"
run --check "$SHORT/tls.crt"
expect_rc 1 "--check on a certificate expiring in 10 days exits 1"
check "--check says it expires soon" grep -q "expires within 30 days" "$OUT"
run --check "$WORK/nothing-here.crt"
expect_rc 2 "--check on a missing file exits 2"
check "--check on a missing file says why" grep -q "nothing-here.crt: No such file" "$ERR"
echo "not a certificate" >"$WORK/garbage.crt"
run --check "$WORK/garbage.crt"
expect_rc 2 "--check on a file that is not a certificate exits 2"
check "--check explains an unreadable file" grep -q "no readable PEM certificate" "$ERR"
run --check "$DIR/ca.crt"
expect_rc 0 "--check works on ca.crt too"

# Certificates dated in the past and the future, signed by `openssl ca` (our tool never backdates).
OLD="$WORK/dated"
mkdir -p "$OLD"
: >"$OLD/index.txt"
cat >"$OLD/ca.cnf" <<CNF
[ca]
default_ca = dated
[dated]
database = $OLD/index.txt
new_certs_dir = $OLD
serial = $OLD/serial
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
CNF
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$OLD/key.pem" \
  -subj /CN=dated.example.test -out "$OLD/req.csr" 2>/dev/null
dated_cert() {  # dated_cert OUT START END
  openssl rand -hex 16 >"$OLD/serial"
  openssl ca -batch -config "$OLD/ca.cnf" -selfsign -keyfile "$OLD/key.pem" -in "$OLD/req.csr" \
    -startdate "$2" -enddate "$3" -out "$1" >/dev/null 2>&1
}
if dated_cert "$OLD/expired.crt" 20200101000000Z 20200201000000Z \
   && dated_cert "$OLD/future.crt" 20990101000000Z 20991231000000Z; then
  run --check "$OLD/expired.crt"
  expect_rc 2 "--check on an expired certificate exits 2"
  check "--check says it expired" grep -q "EXPIRED" "$OUT"
  check "--check prints negative days left for an expired certificate" grep -Eq "^days left: *-[0-9]+$" "$OUT"
  run --check "$OLD/future.crt"
  expect_rc 2 "--check on a not-yet-valid certificate exits 2"
else
  not_ok "openssl ca makes dated certificates for the --check tests"
fi

# ---------------------------------------------------------------- --secret-manifest
run --out "$DIR" --secret-manifest schemagate-tls --namespace sg-test
expect_rc 0 "--secret-manifest prints a Secret"
check "Secret has kind and type" bash -c "grep -q '^kind: Secret$' '$OUT' && grep -q '^type: kubernetes.io/tls$' '$OUT'"
check "Secret has name and namespace" bash -c "grep -q '^  name: schemagate-tls$' '$OUT' && grep -q '^  namespace: sg-test$' '$OUT'"
for f in tls.crt tls.key ca.crt; do
  check "Secret $f decodes to DIR/$f" cmp <(sed -n "s/^  ${f//./\\.}: //p" "$OUT" | base64 -d) "$DIR/$f"
done
run --out "$DIR" --secret-manifest schemagate-tls
expect_rc 2 "--secret-manifest without --namespace exits 2"
run --out "$DIR" --secret-manifest Bad_Name --namespace sg-test
expect_rc 2 "--secret-manifest with an invalid name exits 2"
MIX="$WORK/mixed"
mkdir -p "$MIX"
cp "$DIR/ca.crt" "$DIR/tls.crt" "$MIX/" && cp "$SHORT/tls.key" "$MIX/"
run --out "$MIX" --secret-manifest schemagate-tls --namespace sg-test
expect_rc 2 "--secret-manifest refuses a key that does not match tls.crt"
check "that error says which files disagree" grep -q "does not belong to" "$ERR"

# ---------------------------------------------------------------- usage errors
expect_usage_error() {  # expect_usage_error PATTERN DESCRIPTION ARGS...
  local pattern=$1 what=$2; shift 2
  run "$@"
  if [ "$RC" = 2 ] && grep -qE -e "$pattern" "$ERR"; then ok "$what exits 2 with a message"; else
    not_ok "$what exits 2 with a message (exit $RC)"
    sed 's/^/#   /' "$ERR" | head -5
  fi
}
BAD="$WORK/bad"
expect_usage_error "unknown option '--frobnicate'" "an unknown option" --out "$BAD" --frobnicate
expect_usage_error "--out DIR is required" "a missing --out" --dns a.example.test
expect_usage_error "--out needs a value" "--out without a value" --out
expect_usage_error "needs a value, but the next argument" "--out followed by another option" --out --dns x
expect_usage_error "not an IPv4 or IPv6 address" "a bad --ip" --out "$BAD" --ip 300.1.2.3
expect_usage_error "is an IP address; give it as --ip" "an IP given to --dns" --out "$BAD" --dns 10.1.2.3
expect_usage_error "not a valid DNS name" "a bad --dns" --out "$BAD" --dns "bad_name.example.test"
expect_usage_error "not a valid DNS name" "a --dns with an empty label" --out "$BAD" --dns "a..b"
expect_usage_error "not a whole number" "--days 0" --out "$BAD" --days 0
expect_usage_error "not a whole number" "--days abc" --out "$BAD" --days abc
expect_usage_error "not a whole number" "--days 99999" --out "$BAD" --days 99999
expect_usage_error "needs --namespace" "--service without --namespace" --out "$BAD" --service schemagate
expect_usage_error "only used with --service" "--namespace alone" --out "$BAD" --namespace ns
expect_usage_error "not a valid Kubernetes name" "a bad --service" --out "$BAD" --service Bad --namespace ns
expect_usage_error "given twice" "--out given twice" --out "$BAD" --out "$BAD"
expect_usage_error "takes no other option" "--check combined with --out" --check "$DIR/tls.crt" --out "$BAD"
expect_usage_error "both print to stdout" "--ca-bundle with --secret-manifest" --out "$DIR" --ca-bundle \
  --secret-manifest s --namespace ns
expect_usage_error "unexpected argument" "a positional argument" --out "$BAD" stray
check "bad input creates nothing" test ! -e "$BAD"
run
expect_rc 2 "no arguments at all exits 2"
check "no arguments prints usage to stderr" grep -q "^usage: schemagate-certs" "$ERR"
run --help
expect_rc 0 "--help exits 0"
check "--help prints usage to stdout" grep -q "^usage: schemagate-certs" "$OUT"

HALF="$WORK/half"
mkdir -p "$HALF" && cp "$DIR/ca.crt" "$HALF/"
expect_usage_error "exists without .*ca.key" "ca.crt without ca.key" --out "$HALF"
check "a lone ca.crt is left untouched" cmp "$HALF/ca.crt" "$DIR/ca.crt"
NOTDIR="$WORK/plainfile"
: >"$NOTDIR"
expect_usage_error "is not a directory|cannot create directory" "--out pointing at a file" --out "$NOTDIR"

if [ "$failures" -gt 0 ]; then
  echo "# $failures check(s) failed; scratch files in $WORK"
  exit 1
fi
rm -rf "$WORK"
