#!/usr/bin/env bash
# The long run: vswitchd with three TAP ports and three hosts (network namespaces) under mixed
# traffic for DURATION seconds (default 600): ping over IPv4 and IPv6, two UDP flows below
# saturation (iperf3), DNS queries the switch answers and queries it forwards to dnsmasq, and a
# table edit (hosts add, then del) every few seconds. At the end it reports frames lost, the
# daemon's RSS, GC collections, allocations and CPU at the start and the end.
#
# Run by hand, as root, from anywhere in the repository (CI never runs it):
#   sudo bench/soak/soak.sh                 # 10 minutes
#   sudo DURATION=60 bench/soak/soak.sh     # a quick check of the script itself
#   sudo UDP_RATE=100M bench/soak/soak.sh   # a heavier UDP load per flow (default 20M)
# Needs: iproute2 iputils-ping bind9-dnsutils dnsmasq-base iperf3 and the .NET SDK.
# Addresses: 198.18.0.0/15 and 2001:db8::/32 only. Everything it makes is removed on exit,
# also on failure or Ctrl-C; it ends only the processes it started, by their PIDs.
set -euo pipefail

DURATION=${DURATION:-600}
UDP_RATE=${UDP_RATE:-20M}
EDIT_EVERY=${EDIT_EVERY:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
tag=vsoak$$
work=$(mktemp -d /tmp/vsoak.XXXXXX)
pids=()

for tool in ip ping dig dnsmasq iperf3 dotnet; do
  command -v "$tool" >/dev/null || { echo "soak: '$tool' is missing (apt-get install iproute2 iputils-ping bind9-dnsutils dnsmasq-base iperf3)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "soak: run as root (namespaces, TAP devices)" >&2; exit 2; }

cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  for i in 0 1 2; do ip netns del "$tag-$i" 2>/dev/null; ip link del "${tag}t$i" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "soak: building vswitchd and vswitchctl (Release)"
dotnet build "$root/src/vswitchd" -c Release -o "$work/bin" -v quiet -nologo >/dev/null
dotnet build "$root/src/vswitchctl" -c Release -o "$work/bin" -v quiet -nologo >/dev/null
ctl() { dotnet "$work/bin/vswitchctl.dll" --control "$work/ctl.sock" "$@"; }
in_ns() { local i=$1; shift; ip netns exec "$tag-$i" "$@"; }
# Programs that run in the background are started with 'ip netns exec' itself, not in_ns: '&' on a
# shell function forks a subshell, and $! would name the subshell, which cleanup cannot end them by.

# Tables: 200 names the switch answers, and the address of a DNS server no process serves.
{
  for n in $(seq 1 200); do echo "198.18.2.$n  h$n.soak.test"; done
} >"$work/hosts"
echo "02:00:00:00:00:53 198.18.0.53" >"$work/ethers"

dotnet "$work/bin/vswitchd.dll" --port "tap:${tag}t0" --port "tap:${tag}t1" --port "tap:${tag}t2" \
  --hosts "$work/hosts" --ethers "$work/ethers" --zone soak.test --control "$work/ctl.sock" \
  >"$work/vswitchd.log" 2>&1 &
vswitchd=$!
pids+=("$vswitchd")
for _ in $(seq 1 150); do ctl ports >/dev/null 2>&1 && break; sleep 0.2; done
ctl ports >/dev/null || { echo "soak: vswitchd did not start:" >&2; cat "$work/vswitchd.log" >&2; exit 1; }

for i in 0 1 2; do
  ip netns add "$tag-$i"
  ip link set "${tag}t$i" netns "$tag-$i"
  ip -n "$tag-$i" link set lo up
  ip -n "$tag-$i" addr add "198.18.0.$((i + 1))/24" dev "${tag}t$i"
  ip -n "$tag-$i" addr add "2001:db8::$((i + 1))/64" dev "${tag}t$i" nodad
  ip -n "$tag-$i" link set "${tag}t$i" up
done
in_ns 0 ping -c 1 -W 5 198.18.0.2 >/dev/null

ip netns exec "$tag-2" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=198.18.0.3 \
  --except-interface=lo --address=/outside.test/198.18.0.99 --local-ttl=0 --pid-file="$work/dnsmasq.pid" --user=root \
  >"$work/dnsmasq.log" 2>&1 &
pids+=($!)
ip netns exec "$tag-1" iperf3 --server --port 5201 --one-off >"$work/iperf-server-1.log" 2>&1 &
pids+=($!)
ip netns exec "$tag-0" iperf3 --server --port 5202 --one-off >"$work/iperf-server-0.log" 2>&1 &
pids+=($!)
sleep 1

# The daemon's own figures: RSS and CPU from /proc, GC and allocations from vswitchctl stats.
sample() {
  local label=$1 stats rss ticks
  stats=$(ctl --json stats process/)
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$vswitchd/status")
  ticks=$(awk '{print $14 + $15}' "/proc/$vswitchd/stat")
  gc() { grep -o "\"process/$1\":[[:space:]]*[0-9]*" <<<"$stats" | grep -o '[0-9]*$'; }
  echo "$label rss_kib=$rss cpu_ticks=$ticks gen0=$(gc gc/gen0-collections) gen1=$(gc gc/gen1-collections) gen2=$(gc gc/gen2-collections) allocated=$(gc allocated-bytes) heap=$(gc gc-heap-bytes)"
}

echo "soak: ${DURATION}s of traffic"
start=$(sample start)
started=$(date +%s)

ip netns exec "$tag-0" ping -q -i 0.2 -w "$DURATION" 198.18.0.2 >"$work/ping4.log" 2>&1 &
pids+=($!)
ip netns exec "$tag-1" ping -6 -q -i 0.2 -w "$DURATION" 2001:db8::3 >"$work/ping6.log" 2>&1 &
pids+=($!)
ip netns exec "$tag-0" iperf3 --client 198.18.0.2 --port 5201 --udp --bitrate "$UDP_RATE" --length 1200 --time "$DURATION" --json >"$work/udp-a-b.json" 2>&1 &
pids+=($!)
ip netns exec "$tag-2" iperf3 --client 198.18.0.1 --port 5202 --udp --bitrate "$UDP_RATE" --length 400 --time "$DURATION" --json >"$work/udp-c-a.json" 2>&1 &
pids+=($!)

# DNS: batches of queries the switch answers (at 198.18.0.53) and queries it forwards to dnsmasq.
for n in $(seq 1 200); do echo "@198.18.0.53 +tries=1 +time=1 h$n.soak.test A"; done >"$work/answered.batch"
for n in $(seq 1 50); do echo "@198.18.0.3 +tries=1 +time=1 q$n.outside.test A"; done >"$work/forwarded.batch"
(
  end=$((started + DURATION))
  while [ "$(date +%s)" -lt "$end" ]; do
    in_ns 1 dig -f "$work/answered.batch" >>"$work/dig-answered.log" 2>&1 || true
    in_ns 1 dig -f "$work/forwarded.batch" >>"$work/dig-forwarded.log" 2>&1 || true
  done
) &
pids+=($!)

# Table edits every few seconds, each checked by a query answered from the edited table.
edits=0; edit_failures=0
end=$((started + DURATION))
while [ "$(date +%s)" -lt "$end" ]; do
  n=$((edits % 250 + 1))
  if ctl hosts add "198.18.3.$n" "edit$edits.soak.test" >/dev/null &&
     ip netns exec "$tag-0" dig +short +tries=1 +time=1 @198.18.0.53 "edit$edits.soak.test" A | grep -qx "198.18.3.$n" &&
     ctl hosts del "edit$edits.soak.test" >/dev/null; then
    edits=$((edits + 1))
  else
    edit_failures=$((edit_failures + 1)); edits=$((edits + 1))
  fi
  sleep "$EDIT_EVERY"
done
sleep 3   # let ping and iperf3 finish their last second
finish=$(sample end)
elapsed=$(($(date +%s) - started))

# The report.
field() { grep -o "$2=[0-9]*" <<<"$1" | cut -d= -f2; }
udp() { # sent lost from an iperf3 client's JSON (the receiver's view)
  local f=$1 sent lost
  sent=$(grep -o '"packets":[[:space:]]*[0-9]*' "$f" | tail -1 | grep -o '[0-9]*$')
  lost=$(grep -o '"lost_packets":[[:space:]]*[0-9]*' "$f" | tail -1 | grep -o '[0-9]*$')
  echo "${sent:-?} ${lost:-?}"
}
hz=$(getconf CLK_TCK)
cpu=$(( ($(field "$finish" cpu_ticks) - $(field "$start" cpu_ticks)) ))
read -r udp1_sent udp1_lost < <(udp "$work/udp-a-b.json")
read -r udp2_sent udp2_lost < <(udp "$work/udp-c-a.json")
answered_ok=$(grep -c 'status: NOERROR' "$work/dig-answered.log" || true)
answered_all=$(grep -c '^;; ->>HEADER<<-\|connection timed out\|no servers could be reached' "$work/dig-answered.log" || true)
forwarded_ok=$(grep -c 'status: NOERROR' "$work/dig-forwarded.log" || true)
forwarded_all=$(grep -c '^;; ->>HEADER<<-\|connection timed out\|no servers could be reached' "$work/dig-forwarded.log" || true)
stats=$(ctl stats)
# Where frames were lost, if any: the kernel's side of each TAP (a TX drop there means the switch did
# not read fast enough) and each host's UDP receive buffers (the receiving application was slow).
kernel_drops=""
for i in 0 1 2; do
  tx_dropped=$(in_ns "$i" cat "/sys/class/net/${tag}t$i/statistics/tx_dropped")
  rx_dropped=$(in_ns "$i" cat "/sys/class/net/${tag}t$i/statistics/rx_dropped")
  rcvbuf=$(in_ns "$i" awk '/^Udp:/ {if (!h) {for (f = 1; f <= NF; f++) if ($f == "RcvbufErrors") c = f; h = 1} else print $c}' /proc/net/snmp)
  kernel_drops+="host $i: tap tx_dropped $tx_dropped rx_dropped $rx_dropped, UDP RcvbufErrors $rcvbuf; "
done

cat <<REPORT

== soak report: ${elapsed}s, UDP ${UDP_RATE}/flow ==
ping IPv4 a->b:        $(grep -o '[0-9]* packets transmitted, [0-9]* received, [0-9.]*% packet loss' "$work/ping4.log")
ping IPv6 b->c:        $(grep -o '[0-9]* packets transmitted, [0-9]* received, [0-9.]*% packet loss' "$work/ping6.log")
UDP a->b (1200 B):     $udp1_sent datagrams, $udp1_lost lost
UDP c->a (400 B):      $udp2_sent datagrams, $udp2_lost lost
DNS answered by switch: $answered_ok of $answered_all NOERROR
DNS forwarded (dnsmasq): $forwarded_ok of $forwarded_all NOERROR
table edits:           $edits (add, answered, del), $edit_failures failed
vswitchd RSS:          $(field "$start" rss_kib) KiB -> $(field "$finish" rss_kib) KiB
GC collections:        gen0 $(field "$start" gen0) -> $(field "$finish" gen0), gen1 $(field "$start" gen1) -> $(field "$finish" gen1), gen2 $(field "$start" gen2) -> $(field "$finish" gen2)
GC allocated:          $(field "$start" allocated) -> $(field "$finish" allocated) bytes; heap $(field "$start" heap) -> $(field "$finish" heap) bytes
CPU (vswitchd):        $((cpu / hz)) s over ${elapsed}s ($((100 * cpu / hz / (elapsed > 0 ? elapsed : 1)))% of one core)
kernel drops:          $kernel_drops
switch drops (non-0):  $(grep -E '/drop/' <<<"$stats" | awk '$NF != 0' | tr -s ' ' | paste -sd';' - || true)
peephole:              $(grep -E '^peephole/(dns/replied|dns/forwarded-not-in-table|arp/replied|nd/replied|rate-limited) ' <<<"$stats" | tr -s ' ' | paste -sd';' -)
REPORT
