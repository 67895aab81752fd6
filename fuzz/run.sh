#!/usr/bin/env bash
# Runs one AFL++ campaign of one fuzz target, from a clean clone:
#   fuzz/run.sh TARGET SECONDS
# Targets: decode, text, roundtrip, run, differential, run-gen, differential-gen, jit-gen, wasi-paths, shapes (see `fuzz --help`).
# Environment:
#   FUZZ_WORK    working folder (default results/fuzz/work/TARGET): the instrumented build, seeds, AFL++'s output
#   FUZZ_OUT     where findings and stats go (default results/fuzz): findings/TARGET/, TARGET.json
#   FUZZ_SEEDS   most seeds taken from the spec suite (default 400)
#   FUZZ_TIMEOUT AFL++'s per-input timeout in ms (default 5000)
#   WASM_TESTSUITE  the spec suite, when it is not corpus/testsuite or ../shared/wasm-testsuite
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: fuzz/run.sh TARGET SECONDS" >&2
  exit 2
fi
target=$1
seconds=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
work=${FUZZ_WORK:-$root/results/fuzz/work/$target}
out=${FUZZ_OUT:-$root/results/fuzz}
max_seeds=${FUZZ_SEEDS:-400}
timeout_ms=${FUZZ_TIMEOUT:-5000}

# 1. AFL++ (Debian's afl++), if missing.
if ! command -v afl-fuzz >/dev/null; then
  echo "== installing afl++"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq afl++ >/dev/null
fi

# 2. The SharpFuzz instrumenter (local tool manifest, .config/dotnet-tools.json).
echo "== dotnet tool restore"
dotnet tool restore >/dev/null

# 3. Publish the fuzz program into a fresh folder, then instrument the runtime (only there: SharpFuzz rewrites
#    the assembly in place, so it must never touch the normal build's copy).
#    The instrumented code needs AFL++'s shared memory, so everything outside afl-fuzz (seeds, stats, triage)
#    runs on an uninstrumented copy.
bin=$work/bin
plain=$work/bin-plain
rm -rf "$bin" "$plain"
echo "== dotnet publish fuzz (Release) -> $bin"
dotnet publish fuzz/Fuzz.csproj -c Release -o "$bin" --nologo -v quiet -p:UseAppHost=false >/dev/null
cp -r "$bin" "$plain"
echo "== sharpfuzz $bin/WasmHarness.Runtime.dll"
dotnet sharpfuzz "$bin/WasmHarness.Runtime.dll"

# 4. Seeds from the spec suite's modules (made now, never committed) and an AFL++ dictionary.
rm -rf "$work/seeds" "$work/afl"
dotnet "$plain/fuzz.dll" seeds "$target" "$work/seeds" --max "$max_seeds"
dotnet "$plain/fuzz.dll" dict "$target" "$work/fuzz.dict"

# 5. The campaign. SharpFuzz's out-of-process fork server restarts the .NET child after a stack overflow or a
#    timeout; AFL++ cannot check a managed program's instrumentation, hence AFL_SKIP_BIN_CHECK.
#    The timeout is fixed: `-t N+` makes AFL++ 4 pick one from calibration (40-100 ms here), and on a loaded machine
#    every input past it kills the .NET child, whose restart takes a second or more (throughput fell from thousands
#    of execs/s to about 15); seeds that time out are skipped either way.
echo "== afl-fuzz $target for $seconds s"
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_FORKSRV_INIT_TMOUT=120000 AFL_SKIP_CRASHES=1 AFL_IGNORE_UNKNOWN_ENVS=1
export FUZZ_CRASH_LOG=$work/crash.log
rm -f "$FUZZ_CRASH_LOG"
status=0
timeout --signal=INT --kill-after=30 $((seconds + 300)) \
  afl-fuzz -i "$work/seeds" -o "$work/afl" -x "$work/fuzz.dict" -t "$timeout_ms" -m none -V "$seconds" \
  -- dotnet "$bin/fuzz.dll" "$target" >"$work/afl-fuzz.log" 2>&1 || status=$?
if [[ $status -ne 0 ]]; then
  echo "afl-fuzz exited with $status; the end of its log:" >&2
  tail -n 30 "$work/afl-fuzz.log" >&2
fi

# 6. Stats (JSON for reports/) and findings.
mkdir -p "$out/findings/$target"
dotnet "$plain/fuzz.dll" stats "$target" "$work/afl" "$out/$target.json"
for kind in crashes hangs; do
  dir="$work/afl/default/$kind"
  if [[ -d $dir ]] && compgen -G "$dir/id:*" >/dev/null; then
    mkdir -p "$out/findings/$target/$kind"
    cp "$dir"/id:* "$out/findings/$target/$kind/"
  fi
done
if [[ -s $work/crash.log ]]; then
  cp "$work/crash.log" "$out/findings/$target/crash.log"
fi
found=$(find "$out/findings/$target" -type f ! -name crash.log | wc -l)
echo "findings: $found file(s) in $out/findings/$target (triage: fuzz/triage.sh $target $out/findings/$target)"
exit $status
