#!/bin/bash -eu
# Builds every fuzz target into $OUT for ClusterFuzzLite and OSS-Fuzz (their `compile` runs it in the image of
# Dockerfile). The targets are those of fuzz/run.sh, instrumented by SharpFuzz the same way; libFuzzer drives them
# through libfuzzer-dotnet instead of AFL++ (the fuzz program picks SharpFuzz's libFuzzer mode when started so).
# $OUT gets:
#   TARGET                   a libFuzzer binary per target (libfuzzer-dotnet + target-main.cc) that starts ...
#   fuzz-bin/                ... the fuzz program, published self-contained (the runner image has no .NET), with
#                            WasmHarness.Runtime.dll instrumented
#   TARGET_seed_corpus.zip   seeds (`fuzz seeds`: spec-suite modules when the suite is there, built-in ones)
#   TARGET.dict              the AFL++/libFuzzer dictionary (`fuzz dict`)
# Environment (the base-builder image sets the first ones; set them yourself to run it without a container, as
# eng/clusterfuzzlite-dry-run.sh does):
#   SRC, OUT, WORK, CXX, CXXFLAGS, LIB_FUZZING_ENGINE
#   WASM_HARNESS_SRC      this repository's checkout (default $SRC/wasm-harness)
#   LIBFUZZER_DOTNET_SRC  libfuzzer-dotnet's source (default $SRC/libfuzzer-dotnet)
#   WASM_TESTSUITE        the spec suite for seeds (default $SRC/wasm-testsuite when it is there)
#   FUZZ_TARGETS          the targets to build, space-separated (default: every target, `fuzz list`)
repo=${WASM_HARNESS_SRC:-$SRC/wasm-harness}
driver=${LIBFUZZER_DOTNET_SRC:-$SRC/libfuzzer-dotnet}/libfuzzer-dotnet.cc
build=${WORK:-/tmp}/wasm-harness-build
if [[ -z ${WASM_TESTSUITE:-} && -d $SRC/wasm-testsuite ]]; then
  export WASM_TESTSUITE=$SRC/wasm-testsuite
fi
cd "$repo"

# 1. The fuzz program, self-contained, published once: an uninstrumented copy makes seeds and dictionaries (the
#    instrumented runtime needs SharpFuzz's shared memory, which only a fuzzing run maps), the copy in $OUT is
#    instrumented.
dotnet tool restore >/dev/null
rm -rf "$build" "$OUT/fuzz-bin"
mkdir -p "$build" "$OUT"
dotnet publish fuzz/Fuzz.csproj -c Release -r linux-x64 --self-contained -p:UseAppHost=true -o "$build/plain" --nologo -v quiet
cp -r "$build/plain" "$OUT/fuzz-bin"
dotnet sharpfuzz "$OUT/fuzz-bin/WasmHarness.Runtime.dll"
fuzz="$build/plain/fuzz"

# 2. libfuzzer-dotnet, compiled once with its initializer renamed, for target-main.cc to call.
$CXX $CXXFLAGS -DLLVMFuzzerInitialize=DriverInitialize -c "$driver" -o "$build/driver.o"

# 3. Per target: the libFuzzer binary, seeds, dictionary.
targets=${FUZZ_TARGETS:-$("$fuzz" list | awk '{print $1}')}
for target in $targets; do
  $CXX $CXXFLAGS $LIB_FUZZING_ENGINE -DFUZZ_TARGET="\"$target\"" .clusterfuzzlite/target-main.cc "$build/driver.o" -o "$OUT/$target"
  "$fuzz" seeds "$target" "$build/seeds/$target" --max 400 >/dev/null
  (cd "$build/seeds/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  "$fuzz" dict "$target" "$OUT/$target.dict" >/dev/null
  echo "built $OUT/$target ($(find "$build/seeds/$target" -type f | wc -l) seeds)"
done
