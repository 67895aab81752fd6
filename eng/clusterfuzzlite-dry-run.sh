#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh without a container, the way ClusterFuzzLite's `compile` would, on a clean checkout
# of HEAD (committed files only), then runs every target it built for a few inputs under libFuzzer: proof that the
# build script makes working fuzz targets from a clean clone. CI runs it (ci.yml, job clusterfuzzlite-build).
#   eng/clusterfuzzlite-dry-run.sh [SECONDS_PER_TARGET]      (default 10)
# Needs: clang++ with libFuzzer (Debian/Ubuntu: clang and libclang-rt-dev), zip, the .NET SDK, and
# libfuzzer-dotnet's source: LIBFUZZER_DOTNET_SRC, else cloned from GitHub at the commit the Dockerfile pins.
# Environment: CXX, CXXFLAGS, LIB_FUZZING_ENGINE (defaults below), FUZZ_TARGETS (default: all),
# KEEP=1 keeps the temporary SRC/OUT folders.
set -euo pipefail
seconds=${1:-10}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
[[ ${KEEP:-0} == 1 ]] || trap 'rm -rf "$tmp"' EXIT
export SRC=$tmp/src OUT=$tmp/out WORK=$tmp/work
mkdir -p "$SRC" "$OUT" "$WORK"
export CXX=${CXX:-clang++} CXXFLAGS=${CXXFLAGS:--O1 -g -fsanitize=address -fsanitize=fuzzer-no-link}
export LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}

git clone -q --no-hardlinks "$root" "$SRC/wasm-harness"
if [[ -n ${LIBFUZZER_DOTNET_SRC:-} ]]; then
  cp -r "$LIBFUZZER_DOTNET_SRC" "$SRC/libfuzzer-dotnet"
else
  pin=$(sed -n 's/.*libfuzzer-dotnet checkout \([0-9a-f]*\).*/\1/p' "$root/.clusterfuzzlite/Dockerfile")
  git clone -q https://github.com/Metalnem/libfuzzer-dotnet "$SRC/libfuzzer-dotnet"
  git -C "$SRC/libfuzzer-dotnet" checkout -q "$pin"
fi
unset LIBFUZZER_DOTNET_SRC
# The spec suite for seeds, when this clone has it (the image clones it; without it the seeds are built-in ones).
for suite in "${WASM_TESTSUITE:-}" "$root/corpus/testsuite" "$root/../shared/wasm-testsuite"; do
  if [[ -n $suite && -d $suite ]] && compgen -G "$suite/*.wast" >/dev/null; then
    ln -s "$(cd "$suite" && pwd)" "$SRC/wasm-testsuite"
    break
  fi
done
unset WASM_TESTSUITE

echo "== build.sh (SRC=$SRC OUT=$OUT)"
(cd "$SRC/wasm-harness" && bash .clusterfuzzlite/build.sh)

echo "== every target for ${seconds}s on its seeds"
status=0
for binary in "$OUT"/*; do
  target=$(basename "$binary")
  [[ -f $binary && -x $binary ]] || continue
  corpus=$WORK/corpus/$target
  mkdir -p "$corpus"
  unzip -q -o "$OUT/${target}_seed_corpus.zip" -d "$corpus"
  log=$WORK/$target.log
  if (cd "$OUT" && "./$target" -dict="$target.dict" -max_total_time="$seconds" -timeout=25 "$corpus" >"$log" 2>&1); then
    echo "$target: $(grep -Eo '#[0-9]+[[:space:]]+(DONE|INITED).*' "$log" | tail -n 1)"
  else
    echo "$target: FAILED; the end of its log:" >&2
    tail -n 20 "$log" >&2
    status=1
  fi
done
exit $status
