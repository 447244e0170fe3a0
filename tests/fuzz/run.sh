#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] [TARGET...] - builds the libFuzzer harnesses under ASan+UBSan
# (clang and libclang-rt from Debian; scripts/install-deps.sh installs them) and runs each
# TARGET (default: all of yaml jsonarena shell) for SECONDS (default 60).
#   fuzz_yaml.c       webhook/docstream.c + yamldoc.c (libyaml), the review input reader   seeds: tests/data/yaml
#   fuzz_jsonarena.c  webhook/jsonarena.c, the request parser   seeds: tests/data/apiserver, tests/data/yaml/*.json
#   fuzz_shell.c      webhook/secrets/shellparse.c              seeds: tests/fuzz/seeds/shell
# FUZZ_OUT (default build/fuzz) holds the binaries, a corpus per target that grows from run to
# run, and any crash (crash-*, leak-*, timeout-*). FUZZ_SEED=N and FUZZ_FRESH=1 (a corpus of the
# seeds only, in FUZZ_OUT/fresh) make a run repeatable: `make test` runs each target that way for
# a few seconds; `make fuzz` runs them longer on the growing corpus. Exits non-zero on a finding.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(yaml jsonarena shell)
out=${FUZZ_OUT:-$root/build/fuzz}
mkdir -p "$out"
command -v clang >/dev/null || { echo "fuzz: clang is not installed (scripts/install-deps.sh installs clang and libclang-rt)" >&2; exit 1; }

cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
        -Wall -Wextra -Werror -Wno-unused-command-line-argument -I"$root/webhook" -I"$root/tests/fuzz")
sources() {
  case "$1" in
    yaml)      echo "$root/webhook/docstream.c $root/webhook/yamldoc.c $root/webhook/jsonarena.c $root/webhook/linemap.c $root/webhook/error.c $root/webhook/strbuf.c" ;;
    jsonarena) echo "$root/webhook/jsonarena.c" ;;
    shell)     echo "$root/webhook/secrets/shellparse.c $root/webhook/strbuf.c" ;;
    *) echo "fuzz: unknown target '$1' (known: yaml jsonarena shell)" >&2; return 1 ;;
  esac
}
seed() {
  local target=$1 dir=$2
  case "$target" in
    yaml)      cp "$root"/tests/data/yaml/*.yaml "$dir/" ;;
    jsonarena) cp "$root"/tests/data/apiserver/*.json "$root"/tests/data/yaml/*.json "$dir/" ;;
    shell)     cp "$root"/tests/fuzz/seeds/shell/* "$dir/" ;;
  esac
}

status=0
for target in "${targets[@]}"; do
  src=$(sources "$target") || exit 2
  bin=$out/fuzz_$target
  # shellcheck disable=SC2086
  clang "${cflags[@]}" "$root/tests/fuzz/fuzz_$target.c" $src -lcjson -lyaml -lm -o "$bin"
  if [ -n "${FUZZ_FRESH:-}" ]; then
    corpus=$out/fresh/$target
    rm -rf "$corpus"
  else
    corpus=$out/corpus/$target
  fi
  mkdir -p "$corpus"
  seed "$target" "$corpus"
  dict=()
  [ "$target" = yaml ] && dict=(-dict="$root/tests/fuzz/yaml.dict")
  echo "fuzz: $target for ${seconds}s${FUZZ_SEED:+ (seed $FUZZ_SEED)}"
  if ! "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
       ${FUZZ_SEED:+-seed="$FUZZ_SEED"} "${dict[@]}" -artifact_prefix="$out/$target-" "$corpus" \
       >"$out/$target.log" 2>&1; then
    echo "fuzz: $target found a problem (artifact in $out/$target-*):" >&2
    grep -E "ERROR|Assertion|SUMMARY|Test unit written" "$out/$target.log" | head -20 >&2
    status=1
  else
    grep -E "^stat::number_of_executed_units|^Done" "$out/$target.log" | tail -1 | sed "s/^/fuzz: $target: /"
  fi
done
exit $status
