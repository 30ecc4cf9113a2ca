#!/usr/bin/env bash
# VSwitch against Open vSwitch's userspace datapath, the Linux bridge and a plain veth pair, in
# one run on one topology (namespace A - switch - namespace B), and VSwitch's DNS peephole
# against dnsmasq behind the same switch (issue 5).
#
#   bench/e2e/run.sh [--quick] [--rounds N] [--seconds S] [--cases "vswitch-afpacket ovs-afpacket ..."|none]
#                    [--no-micro] [--no-dns] [--out DIR] [--vswitchd-arg ARG]...
#
# Each case runs --rounds times (3; --quick: 1) for --seconds each (10; --quick: 3),
# interleaved (A, B, C, A, B, C ...) so that drift of this shared machine hits every case alike.
# Per case: frames per second of 64, 512 and 1500-byte UDP frames (trafgen on CPU 0, the switch
# on CPU 1; offered at A and received at B), ping RTT, TCP throughput (iperf3) with the default
# offloads and with transmit offload off, and the switch's CPU. Then DNS (dnsperf: peephole
# answers against dnsmasq's), the peephole tax (64 B forwarding with a 100,000-name table
# against none), and the BenchmarkDotNet suite (short job). The report goes to
# bench/results/<date>-<host>.md with a CSV of every sample and an SVG chart.
#
# Run as root. It installs nothing; it names the Debian packages that are missing. Hosts are
# namespaces with addresses from 198.18.0.0/15 only; everything it made is removed on exit,
# also when interrupted, and it ends only the processes it started.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/e2e"
rounds=3 SECONDS_PER_RUN=10 PINGS=300 cases="" micro=1 dns=1 out="$root/bench/results" VSWITCHD_ARGS="" quick=0
while (($#)); do
  case "$1" in
    --quick) quick=1; rounds=1; SECONDS_PER_RUN=3; PINGS=100; micro=0 ;;
    --rounds) rounds=$2; shift ;;
    --seconds) SECONDS_PER_RUN=$2; shift ;;
    --cases) cases=$2; shift ;;
    --no-micro) micro=0 ;;
    --no-dns) dns=0 ;;
    --out) out=$2; shift ;;
    --vswitchd-arg) VSWITCHD_ARGS="$VSWITCHD_ARGS $2"; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=lib/common.sh
. "$here/lib/common.sh"
. "$here/lib/switches.sh"
. "$here/lib/measure.sh"
. "$here/lib/dns.sh"
cases=${cases:-$CASES_ALL}
[ "$cases" = none ] && cases=""

[ "$(id -u)" = 0 ] || { echo "run as root (namespaces, veths, TAP devices)" >&2; exit 1; }
missing=""
need() { command -v "$1" >/dev/null || missing="$missing $2"; }
need ip iproute2; need ethtool ethtool; need ping iputils-ping; need taskset util-linux
need trafgen netsniff-ng; need iperf3 iperf3; need dnsperf dnsperf; need dnsmasq dnsmasq-base
need ovs-vswitchd openvswitch-switch; need ovsdb-server openvswitch-switch; need dotnet "the .NET 10 SDK"
if [ -n "$missing" ]; then
  echo "missing:$(echo "$missing" | tr ' ' '\n' | sort -u | tr '\n' ' ')" >&2
  echo "install with: apt-get install -y$(echo "$missing" | tr ' ' '\n' | grep -v SDK | sort -u | tr '\n' ' ')" >&2
  exit 1
fi
# One run at a time: runs share namespace and link names, and would skew each other's figures.
exec 9>/run/vswitch-bench.lock
flock -n 9 || { echo "another bench/e2e/run.sh is running (lock /run/vswitch-bench.lock); waiting for it" >&2; flock 9; }
if ip netns list | grep -qE '^vsb-'; then echo "namespaces vsb-* exist: another run is going on, or one was killed (ip netns del them)" >&2; exit 1; fi

WORK=$(mktemp -d /tmp/vswitch-bench.XXXXXX)
RAW="$WORK/raw.csv"
trap 'cleanup_all; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

log "building VSwitch (Release)"
dotnet build "$root/src/vswitchd" -c Release -o "$WORK/bin" -v quiet -nologo >"$WORK/build.log" 2>&1 \
  && dotnet build "$root/src/vswitchctl" -c Release -o "$WORK/bin" -v quiet -nologo >>"$WORK/build.log" 2>&1 \
  && dotnet build "$root/bench/E2eReport" -c Release -o "$WORK/report" -v quiet -nologo >>"$WORK/build.log" 2>&1 \
  || { tail -20 "$WORK/build.log"; exit 1; }
VSBIN="$WORK/bin"
echo "round,case,metric,value" > "$RAW"
dns_prepare
dns_hosts 100000 > "$WORK/big-hosts"
sizes="64 512 1500"
[ $quick = 1 ] && sizes="64"

for ROUND in $(seq "$rounds"); do
  for CASE in $cases; do
    log "round $ROUND/$rounds: $CASE"
    if ! switch_up "$CASE"; then row setup_failed 1; switch_down; continue; fi
    [ -n "$VS_PID" ] && measure_idle_alloc
    for size in $sizes; do measure_pps "$size"; done
    measure_ping
    measure_tcp tcp_gbps
    tx_offload_off
    measure_tcp tcp_txoff_gbps
    switch_down
  done
  if [ $dns = 1 ]; then
    for mode in peephole dnsmasq; do log "round $ROUND/$rounds: dns $mode"; measure_dns $mode; done
  fi
  # Alternate which goes first, so that anything left by the previous case hits both alike.
  order="on off"; [ $((ROUND % 2)) = 0 ] && order="off on"
  for tables in $order; do
    log "round $ROUND/$rounds: peephole tax, tables $tables"
    CASE=peephole-tax
    args="--hosts none --ethers none"
    [ $tables = on ] && args="--hosts $WORK/big-hosts --ethers none --zone bench.test"
    if switch_up vswitch-afpacket "$args"; then measure_pps 64 "tax_${tables}_pps"; fi
    switch_down
  done
done

micro_md=""
if [ $micro = 1 ]; then
  log "BenchmarkDotNet suite (short job)"
  # From the repository root with BenchmarkDotNet's default artifacts folder (ignored by git):
  # the project it generates must find the repository's central package versions.
  rm -f "$root"/BenchmarkDotNet.Artifacts/results/VSwitch.Benchmarks.{ForwardBurst,Peephole}Benchmarks-report-github.md
  (cd "$root" && dotnet run -c Release --project bench/VSwitch.Benchmarks -- \
     --filter '*ForwardBurstBenchmarks*' '*PeepholeBenchmarks*' --job short --memory \
     >"$WORK/micro.log" 2>&1) || log "BenchmarkDotNet failed: $(tail -5 "$WORK/micro.log")"
  micro_md=$(ls "$root"/BenchmarkDotNet.Artifacts/results/VSwitch.Benchmarks.{ForwardBurst,Peephole}Benchmarks-report-github.md 2>/dev/null | tr '\n' ' ')
fi

{
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p') x $(nproc)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "kernel: $(uname -r); $(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "dotnet: $(dotnet --version)"
  echo "openvswitch: $(ovs-vswitchd --version | head -1)"
  echo "trafgen: $(trafgen -v | head -1)"
  echo "iperf3: $(iperf3 --version | head -1)"
  echo "dnsperf: $(dnsperf -h 2>&1 | sed -n 's/^Version //p')"
  echo "dnsmasq: $(dnsmasq --version | head -1)"
  echo "run: $rounds rounds of $SECONDS_PER_RUN s per case, interleaved; $PINGS pings; host $(hostname)"
} > "$WORK/machine.txt"

mkdir -p "$out"
name="$(date +%Y-%m-%d)-$(hostname -s)"
[ $quick = 1 ] && name="$name-quick"
dotnet "$WORK/report/E2eReport.dll" "$RAW" "$WORK/machine.txt" "$out/$name" $micro_md
log "results: $out/$name.md, $out/$name.csv, $out/$name.svg"
