#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] - fuzzes the review input reader (webhook/docstream.c,
# webhook/yamldoc.c) with libFuzzer under ASan+UBSan (clang, libclang-rt). Seeds from tests/data/yaml; the corpus and crashes stay in build/fuzz/.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/build/fuzz
mkdir -p "$out/corpus"
cp -n "$root"/tests/data/yaml/*.yaml "$out/corpus/" 2>/dev/null || true
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE \
  -I"$root/webhook" "$root/tests/fuzz/fuzz_yaml.c" "$root/webhook/docstream.c" "$root/webhook/yamldoc.c" \
  "$root/webhook/jsonarena.c" "$root/webhook/linemap.c" "$root/webhook/error.c" "$root/webhook/strbuf.c" \
  -lcjson -lyaml -lm -o "$out/fuzz_yaml"
cd "$out"
./fuzz_yaml -max_total_time="${1:-60}" -max_len=4096 -timeout=5 -dict="$root/tests/fuzz/yaml.dict" \
  -artifact_prefix="$out/" corpus
