#!/usr/bin/env bash
# Frames per second between two memif ports: through VSwitch, and through DPDK's testpmd in
# io-forward mode as the reference, interleaved (testpmd, VSwitch, testpmd, VSwitch, ...) because
# the two vCPUs' placement moves single runs by a factor of several; VSwitch between two TAP ports
# and between two AF_PACKET ports (veth pairs) in the same rounds; then testpmd to testpmd
# directly, for orientation. The memif middles are driven by the same client (bench/MemifBench,
# the client library, sender and receiver in one thread), so the middle is the only difference;
# the kernel ports by AF_PACKET sockets with sendmmsg/recvmmsg bursts on their kernel sides.
#
#   bench/memif/run.sh [ROUNDS] [SECONDS]     (as root; defaults 3 rounds of 5 s per size)
#
# Prints one line per run and a table of medians (over the rounds) with VSwitch as a fraction of
# testpmd. Kernel-port runs create TAP devices vsmt0/vsmt1 and veth pairs vsmb0/vsmb1 (removed
# again by the runner).
# Needs dpdk-testpmd (apt-get install dpdk dpdk-dev) and dotnet. Everything it starts is stopped
# by its process id on exit; testpmd's runtime directories are removed.
set -u
rounds=${1:-3}
seconds=${2:-5}
sizes=(64 512 1500)
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v dpdk-testpmd >/dev/null || { echo "missing: dpdk-testpmd (apt-get install dpdk dpdk-dev)" >&2; exit 1; }
# One benchmark at a time on this machine: the same lock as bench/e2e/run.sh.
exec 9>/run/vswitch-bench.lock
flock -n 9 || { echo "another benchmark holds /run/vswitch-bench.lock; waiting for it" >&2; flock 9; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  for l in vsmb0 vsmb1 vsmt0 vsmt1; do ip link del "$l" 2>/dev/null; done
  rm -rf "$work" /var/run/dpdk/vsbench-*
}
trap cleanup EXIT INT TERM
dotnet build "$root/bench/MemifBench" -c Release -o "$work/bin" -v quiet -nologo >/dev/null || exit 1
bench() { dotnet "$work/bin/MemifBench.dll" "$@"; }

eal=(--no-huge -m 256 --no-pci)
# testpmd -a waits for Enter on stdin and quits on end of file: a FIFO we hold open keeps it running.
mkfifo "$work/stdin"
exec 3<>"$work/stdin"
# testpmd serving ids 0 and 1 on one socket, forwarding port 0 to port 1 (and back) unchanged.
start_io() {  # $1: socket; sets tp_pid
  rm -f "$1" "$work/io.log"
  dpdk-testpmd "${eal[@]}" --file-prefix=vsbench-io --lcores=0@1,1@0 \
    --vdev=net_memif0,role=server,socket="$1",socket-abstract=no,id=0 \
    --vdev=net_memif1,role=server,socket="$1",socket-abstract=no,id=1 \
    -- --total-num-mbufs=16384 --forward-mode=io --port-topology=paired -a <"$work/stdin" >"$work/io.log" 2>&1 &
  tp_pid=$!
  pids+=("$tp_pid")
  # The server ports listen once the socket exists; testpmd then waits for its clients.
  for _ in $(seq 100); do [ -S "$1" ] && grep -qs "Checking link statuses" "$work/io.log" && return 0; sleep 0.1; done
  echo "testpmd did not start:" >&2; cat "$work/io.log" >&2; exit 1
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

results="$work/results"
: > "$results"
for round in $(seq "$rounds"); do
  for size in "${sizes[@]}"; do
    start_io "$work/io.sock"
    line=$(bench attach "$work/io.sock" "$size" "$seconds") || { echo "testpmd run failed" >&2; cat "$work/io.log" >&2; exit 1; }
    stop "$tp_pid"
    echo "round $round dpdk-io    $line"; echo "dpdk $line" >> "$results"
    line=$(bench vswitch "$size" "$seconds") || exit 1
    echo "round $round vswitch    $line"; echo "vswitch $line" >> "$results"
    for kind in tap afpacket; do
      line=$(bench "$kind" "$size" "$seconds" 2>/dev/null) || exit 1
      echo "round $round $kind $line"; echo "$kind $line" >> "$results"
    done
  done
done

# testpmd to testpmd: a txonly server feeding an rxonly client, the client's rate read from its
# statistics (the median of its per-second Rx-pps once running).
direct() {  # $1: size
  dpdk-testpmd "${eal[@]}" --file-prefix="vsbench-tx$1" --lcores=0@1,1@0 \
    --vdev=net_memif0,role=server,socket="$work/direct$1.sock",socket-abstract=no,id=0 \
    -- --total-num-mbufs=16384 --forward-mode=txonly --txpkts="$(( $1 - 4 ))" -a <"$work/stdin" >"$work/tx.log" 2>&1 &
  local tx=$!; pids+=("$tx")
  sleep 2
  dpdk-testpmd "${eal[@]}" --file-prefix="vsbench-rx$1" --lcores=0@0,1@1 \
    --vdev=net_memif0,role=client,socket="$work/direct$1.sock",socket-abstract=no,id=0 \
    -- --total-num-mbufs=16384 --forward-mode=rxonly --stats-period=1 -a <"$work/stdin" >"$work/rx.log" 2>&1 &
  local rx=$!; pids+=("$rx")
  sleep $(( seconds + 3 ))
  stop "$rx"; stop "$tx"
  grep -o 'Rx-pps: *[0-9]*' "$work/rx.log" | awk '{print $2}' | tail -n +3 | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.3f", a[int((NR+1)/2)]/1e6; else print "n/a"}'
}
for size in "${sizes[@]}"; do
  echo "testpmd-to-testpmd size=$size mpps=$(direct "$size")" | tee -a "$results"
done

echo
echo "| size | VSwitch memif-memif Mpps | testpmd io memif-memif Mpps | VSwitch / testpmd | VSwitch TAP-TAP Mpps | VSwitch AF_PACKET-AF_PACKET Mpps | testpmd to testpmd Mpps |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for size in "${sizes[@]}"; do
  med() { grep "^$1 " "$results" | grep " size=$size " | grep -o 'mpps=[0-9.]*' | cut -d= -f2 | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print 0}'; }
  v=$(med vswitch); d=$(med dpdk); tp=$(med tap); ap=$(med afpacket)
  t=$(grep "^testpmd-to-testpmd size=$size " "$results" | grep -o 'mpps=[0-9.na/]*' | cut -d= -f2)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$size" "$v" "$d" "$(awk -v v="$v" -v d="$d" 'BEGIN {if (d > 0) printf "%.2f", v/d; else print "n/a"}')" "$tp" "$ap" "$t"
done
