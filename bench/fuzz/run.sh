#!/bin/bash
# Coverage-guided fuzzing under AFL++ (issue 15): each fuzz target of tests/VSwitch.Tests/Fuzz,
# instrumented by SharpFuzz, for a given time, then every crash replayed and the totals printed.
#   usage: bench/fuzz/run.sh [SECONDS_PER_TARGET=900] [TARGET...]    (targets: all four by default)
#   output: $VSFUZZ_OUT (default /tmp/vsfuzz): out/TARGET/default/{fuzzer_stats,crashes,hangs},
#           summary.tsv (target, seconds, executions, paths, crashes, hangs), crash replays in triage/
# Installs Debian's afl++ when missing (as root) and the sharpfuzz instrumenter as a local tool.
# One afl-fuzz at a time: this machine has two cores, and the second is the engine's own.
set -u
seconds=${1:-900}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(receive-path hosts ethers config)
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${VSFUZZ_OUT:-/tmp/vsfuzz}
sharpfuzz_version=2.3.0

if ! command -v afl-fuzz >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "missing: afl-fuzz (apt-get install afl++)" >&2; exit 1; }
  echo "installing afl++"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null || { echo "apt-get install afl++ failed" >&2; exit 1; }
fi
tools="$out/tools"
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version "$sharpfuzz_version" --tool-path "$tools" >/dev/null \
    || { echo "dotnet tool install SharpFuzz.CommandLine failed" >&2; exit 1; }
fi

# Published outside the tree (the seeds and the receive path's tables are found through
# VSWITCH_REPO), then the code under test instrumented in place: the datapath and the daemon
# (whose config reader the config target reads through). The harness itself stays plain.
bin="$out/bin"
rm -rf "$bin"
dotnet publish "$root/tests/VSwitch.Fuzz" -c Release -o "$bin" -v quiet -nologo >/dev/null || { echo "publish failed" >&2; exit 1; }
for dll in VSwitch.Datapath.dll VSwitch.Daemon.dll; do
  "$tools/sharpfuzz" "$bin/$dll" >/dev/null || { echo "sharpfuzz $dll failed" >&2; exit 1; }
done
export VSWITCH_REPO="$root"

# afl-fuzz's own checks that do not fit a .NET child: no ELF to check, core dumps may go to a
# handler (apport, systemd-coredump) on the machine, no CPU governor to set in a container.
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1

summary="$out/summary.tsv"
printf 'target\tseconds\texecutions\tpaths\tcrashes\thangs\n' >"$summary"
status=0
for t in "${targets[@]}"; do
  in="$out/in/$t"; rm -rf "$in" "$out/out/$t"; mkdir -p "$out/out"
  dotnet "$bin/vswitch-fuzz.dll" seeds "$t" "$in" || exit 1
  dotnet "$bin/vswitch-fuzz.dll" dict "$t" "$out/$t.dict" || exit 1
  echo "fuzzing $t for $seconds s"
  # -t: generous, the first executions JIT the target; -m none: the runtime reserves far more
  # address space than AFL's default limit.
  afl-fuzz -V "$seconds" -t 5000 -m none -i "$in" -o "$out/out/$t" -x "$out/$t.dict" \
    -- dotnet "$bin/vswitch-fuzz.dll" afl "$t" >"$out/$t.log" 2>&1
  stats="$out/out/$t/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "$t: afl-fuzz wrote no statistics; the end of its log:" >&2
    tail -20 "$out/$t.log" >&2
    status=1
    continue
  fi
  field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$(field run_time)" "$(field execs_done)" "$(field corpus_count)" \
    "$(field saved_crashes)" "$(field saved_hangs)" >>"$summary"
  crashes=("$out/out/$t/default/crashes"/id:*)
  if [ -e "${crashes[0]}" ]; then
    mkdir -p "$out/triage"
    dotnet "$bin/vswitch-fuzz.dll" run "$t" "${crashes[@]}" >"$out/triage/$t.txt" 2>&1
    echo "$t: ${#crashes[@]} crashing inputs, replayed in $out/triage/$t.txt" >&2
    status=1
  fi
done
column -t "$summary"
awk -F'\t' 'NR > 1 { n += $3 } END { printf "executions in all: %d\n", n }' "$summary"
exit $status
