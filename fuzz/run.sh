#!/usr/bin/env bash
# Runs one AFL++ campaign of one fuzz target, from a clean clone:
#   fuzz/run.sh TARGET SECONDS [--jobs N]
# --jobs N: N afl-fuzz instances (one -M main, N-1 -S secondaries) sharing one output directory, so that each
# imports the others' finds; the stats JSON adds them up (combined execs/s) and carries afl-whatsup's summary.
# Default 1: one instance, as before.
# Targets: decode, text, roundtrip, run, differential, run-gen, differential-gen, jit-gen, wasi-paths, shapes (see `fuzz --help`).
# Environment:
#   FUZZ_WORK    working folder (default results/fuzz/work/TARGET): the instrumented build, seeds, AFL++'s output
#   FUZZ_OUT     where findings and stats go (default results/fuzz): findings/TARGET/, TARGET.json
#   FUZZ_SEEDS   most seeds taken from the spec suite (default 400)
#   FUZZ_TIMEOUT AFL++'s per-input timeout in ms (default 5000)
#   FUZZ_CORPUS  the corpus kept between campaigns (default FUZZ_OUT/corpus/TARGET): its inputs are added to the
#                seeds, and the campaign's queues, minimized with afl-cmin, replace it at the end
#   FUZZ_NO_CMIN=1  skip the minimization (the corpus is left as it was)
#   WASM_TESTSUITE  the spec suite, when it is not corpus/testsuite or ../shared/wasm-testsuite
set -euo pipefail

usage() {
  echo "usage: fuzz/run.sh TARGET SECONDS [--jobs N]" >&2
  exit 2
}
[[ $# -ge 2 ]] || usage
target=$1
seconds=$2
shift 2
jobs=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --jobs) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || usage; jobs=$2; shift 2 ;;
    *) usage ;;
  esac
done
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
work=${FUZZ_WORK:-$root/results/fuzz/work/$target}
out=${FUZZ_OUT:-$root/results/fuzz}
max_seeds=${FUZZ_SEEDS:-400}
timeout_ms=${FUZZ_TIMEOUT:-5000}
corpus=${FUZZ_CORPUS:-$out/corpus/$target}

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
if [[ -d $corpus ]] && compgen -G "$corpus/*" >/dev/null; then
  # The corpus of earlier campaigns (names prefixed: AFL++'s id:... names repeat across campaigns).
  for f in "$corpus"/*; do cp "$f" "$work/seeds/corpus-$(basename "$f")"; done
  echo "== $(find "$corpus" -maxdepth 1 -type f | wc -l) corpus inputs from $corpus added to the seeds"
fi

# 5. The campaign. SharpFuzz's out-of-process fork server restarts the .NET child after a stack overflow or a
#    timeout; AFL++ cannot check a managed program's instrumentation, hence AFL_SKIP_BIN_CHECK.
#    The timeout is fixed: `-t N+` makes AFL++ 4 pick one from calibration (40-100 ms here), and on a loaded machine
#    every input past it kills the .NET child, whose restart takes a second or more (throughput fell from thousands
#    of execs/s to about 15); seeds that time out are skipped either way.
echo "== afl-fuzz $target for $seconds s, $jobs instance(s)"
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_FORKSRV_INIT_TMOUT=120000 AFL_SKIP_CRASHES=1 AFL_IGNORE_UNKNOWN_ENVS=1
export FUZZ_CRASH_LOG=$work/crash.log
rm -f "$FUZZ_CRASH_LOG" "$work"/afl-fuzz*.log
# One instance keeps AFL++'s default layout (afl/default); several are afl/main (-M) and afl/s1.. (-S), which
# sync their queues through afl/ every few minutes.
if [[ $jobs -eq 1 ]]; then
  names=(default)
else
  names=(main)
  for ((i = 1; i < jobs; i++)); do names+=("s$i"); done
fi
pids=()
for name in "${names[@]}"; do
  role=()
  [[ $jobs -gt 1 ]] && role=("$([[ $name == main ]] && echo -M || echo -S)" "$name")
  log=$work/afl-fuzz.log
  [[ $jobs -gt 1 ]] && log=$work/afl-fuzz-$name.log
  timeout --signal=INT --kill-after=30 $((seconds + 300)) \
    afl-fuzz -i "$work/seeds" -o "$work/afl" "${role[@]}" -x "$work/fuzz.dict" -t "$timeout_ms" -m none -V "$seconds" \
    -- dotnet "$bin/fuzz.dll" "$target" >"$log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!pids[@]}"; do
  instance_status=0
  wait "${pids[$i]}" || instance_status=$?
  if [[ $instance_status -ne 0 ]]; then
    status=$instance_status
    log=$work/afl-fuzz.log
    [[ $jobs -gt 1 ]] && log=$work/afl-fuzz-${names[$i]}.log
    echo "afl-fuzz ${names[$i]} exited with $instance_status; the end of its log:" >&2
    tail -n 30 "$log" >&2
  fi
done
# afl-whatsup's summary over every instance (-d: they have all exited by now); its tput noise goes to stderr.
afl-whatsup -s -d "$work/afl" 2>/dev/null | sed -n '/Summary stats/,$p' >"$work/whatsup.txt" || true
cat "$work/whatsup.txt"

# 6. The corpus: every instance's queue (the seeds included), minimized by afl-cmin through the instrumented
#    build, replaces the kept corpus; on failure the kept corpus stays as it was. afl-cmin wants the target's full
#    path, and refuses to work under /tmp.
cmin_args=()
if [[ ${FUZZ_NO_CMIN:-0} != 1 ]]; then
  rm -rf "$work/cmin-in" "$work/cmin-out"
  mkdir -p "$work/cmin-in"
  n=0
  while IFS= read -r -d '' f; do
    cp "$f" "$work/cmin-in/$n"
    n=$((n + 1))
  done < <(find "$work/afl" -path '*/queue/id:*' -type f -print0)
  echo "== afl-cmin over $n queue inputs"
  if timeout --kill-after=30 900 afl-cmin -i "$work/cmin-in" -o "$work/cmin-out" -t "$timeout_ms" -m none \
      -- "$(command -v dotnet)" "$bin/fuzz.dll" "$target" >"$work/afl-cmin.log" 2>&1 && compgen -G "$work/cmin-out/*" >/dev/null; then
    rm -rf "$corpus"
    mkdir -p "$(dirname "$corpus")"
    mv "$work/cmin-out" "$corpus"
    cmin_args=(--corpus "$corpus")
    echo "corpus: $n inputs minimized to $(find "$corpus" -maxdepth 1 -type f | wc -l) in $corpus"
  else
    echo "afl-cmin failed; $corpus left as it was. The end of its log:" >&2
    tail -n 20 "$work/afl-cmin.log" >&2
  fi
fi

# 7. Stats (JSON for reports/: every instance added up) and findings (file names prefixed by instance).
mkdir -p "$out/findings/$target"
dotnet "$plain/fuzz.dll" stats "$target" "$work/afl" "$out/$target.json" --whatsup "$work/whatsup.txt" "${cmin_args[@]}"
for name in "${names[@]}"; do
  for kind in crashes hangs; do
    dir="$work/afl/$name/$kind"
    if [[ -d $dir ]] && compgen -G "$dir/id:*" >/dev/null; then
      mkdir -p "$out/findings/$target/$kind"
      for f in "$dir"/id:*; do cp "$f" "$out/findings/$target/$kind/$name-$(basename "$f")"; done
    fi
  done
done
if [[ -s $work/crash.log ]]; then
  cp "$work/crash.log" "$out/findings/$target/crash.log"
fi
found=$(find "$out/findings/$target" -type f ! -name crash.log | wc -l)
echo "findings: $found file(s) in $out/findings/$target (triage: fuzz/triage.sh $target $out/findings/$target)"
exit $status
