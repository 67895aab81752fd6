#!/usr/bin/env bash
# Triage the findings of a campaign: dedupe by signature (exception type, finding message, top frames), minimize
# each representative with afl-tmin (when the instrumented build of fuzz/run.sh is there), and write regression
# inputs to corpus/regressions/TARGET/, which tests/Runtime.Tests/Fuzz/RegressionTests.cs replays.
#   fuzz/triage.sh TARGET FINDINGS_DIR...       (e.g. results/fuzz/findings/decode)
# Environment: FUZZ_WORK (as in run.sh), FUZZ_NO_TMIN=1 to skip minimization.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: fuzz/triage.sh TARGET FINDINGS_DIR..." >&2
  exit 2
fi
target=$1
shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
work=${FUZZ_WORK:-$root/results/fuzz/work/$target}
plain=$work/bin-plain
bin=$work/bin
if [[ ! -f $plain/fuzz.dll ]]; then
  echo "== building the fuzz program (no instrumented build found in $work)"
  plain=$work/bin-triage
  dotnet publish fuzz/Fuzz.csproj -c Release -o "$plain" --nologo -v quiet -p:UseAppHost=false >/dev/null
fi

# Every file under the given folders (crashes/, hangs/, or flat).
inputs=$work/triage-inputs
rm -rf "$inputs" "$work/triage"
mkdir -p "$inputs"
for dir in "$@"; do
  find "$dir" -type f ! -name 'README*' ! -name '*.txt' -exec cp {} "$inputs/" \;
done
if [[ -z $(ls -A "$inputs") ]]; then
  echo "no findings to triage for $target"
  exit 0
fi

echo "== dedupe"
dotnet "$plain/fuzz.dll" triage "$target" "$work/triage" "$inputs"

dest=corpus/regressions/$target
: >"$work/triage/new-regressions.txt"
while IFS=$'\t' read -r name count signature; do
  file=$work/triage/$name
  if [[ ${FUZZ_NO_TMIN:-0} != 1 && -f $bin/fuzz.dll && $signature != Hang* && $signature != ProcessCrash* ]] && command -v afl-tmin >/dev/null; then
    echo "== afl-tmin $name"
    if AFL_SKIP_BIN_CHECK=1 AFL_FORKSRV_INIT_TMOUT=120000 timeout 600 afl-tmin -i "$file" -o "$file.min" -t 10000 -m none \
        -- dotnet "$bin/fuzz.dll" "$target" >/dev/null 2>&1; then
      # Keep the minimized input only if it is still the same finding.
      again=$(dotnet "$plain/fuzz.dll" replay "$target" --signature "$file.min" 2>/dev/null | sed -n 's/^SIGNATURE\t//p' | head -n 1)
      if [[ $again == "$signature" ]]; then
        echo "   $(stat -c %s "$file") -> $(stat -c %s "$file.min") bytes"
        mv "$file.min" "$file"
      else
        echo "   the minimized input is another finding ($again); keeping the original"
      fi
    fi
  fi
  mkdir -p "$dest"
  cp "$file" "$dest/$name"
  echo "$name: $signature" >>"$work/triage/new-regressions.txt"
done <"$work/triage/SIGNATURES.txt"
if [[ -s $work/triage/new-regressions.txt ]]; then
  echo "regression inputs in $dest (a finding not fixed yet belongs in $dest/open/):"
  cat "$work/triage/new-regressions.txt"
else
  echo "no finding reproduced for $target"
fi
