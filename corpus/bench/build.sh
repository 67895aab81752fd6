#!/usr/bin/env bash
# Builds the C benchmark kernels in c/ twice with Debian's clang-14: to wasm32-wasi (-O2, wasi-libc) and
# natively (-O2), into build/wasm/NAME.wasm and build/native/NAME (git-ignored; the bench runs this script
# before it measures anything, so nothing built is committed).
#   apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
# A program may ask for extra Wasm flags with a line "// wasm-flags: ..." (simd.c: -msimd128, so the vector
# loops become Wasm SIMD as they become SSE natively). Sources newer than their outputs are rebuilt; OUT=dir
# picks another output folder, CC=... another compiler.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-$(command -v clang-14 || command -v clang)}
OUT=${OUT:-build}
mkdir -p "$OUT/wasm" "$OUT/native"
for source in c/*.c; do
  name=$(basename "${source%.c}")
  extra=$(sed -n 's|^// wasm-flags: ||p' "$source")
  if [ ! "$OUT/wasm/$name.wasm" -nt "$source" ] || [ c/bench.h -nt "$OUT/wasm/$name.wasm" ]; then
    # shellcheck disable=SC2086 # the extra flags are words
    "$CC" --target=wasm32-wasi -O2 $extra -fuse-ld=lld -Wall -Werror -o "$OUT/wasm/$name.wasm" "$source"
  fi
  if [ ! "$OUT/native/$name" -nt "$source" ] || [ c/bench.h -nt "$OUT/native/$name" ]; then
    "$CC" -O2 -Wall -Werror -o "$OUT/native/$name" "$source" -lm
  fi
done
echo "built in $OUT: $(cd "$OUT/wasm" && ls | tr '\n' ' ')"
