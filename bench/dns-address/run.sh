#!/usr/bin/env bash
# The switch's DNS address (issue 14) against dnsmasq, in one run, interleaved round by round:
#   miss-udp   names outside the tables: VSwitch's slow path forwarding to an upstream, against
#              dnsmasq as a forwarder (no cache: --cache-size=0, as the slow path caches nothing)
#              to the same upstream;
#   table-tcp  table names over TCP: VSwitch's DNS service answering from its tables, against
#              dnsmasq over TCP answering from the same hosts file;
#   forward    the datapath's own forwarding (flood ping A -> F, replies per second), quiet and
#              while namespace B floods the DNS address with misses over UDP and with TCP
#              connections (dnsperf, 50 TCP clients): what the slow path takes from the switch.
# The client is dnsperf in namespace A on the switch; dnsmasq-the-forwarder (F) is a host on the
# switch too, so both sides cross the switch once on the client's side. The upstream is dnsmasq
# in namespace U, reached from the root namespace (VSwitch's slow path) and from F by veths of
# their own. Each run: -l SECONDS with 8 clients; latency is dnsperf's average, the p99 comes
# from a fixed-rate run (-Q 2000, per-query latencies from -v).
#
#   bench/dns-address/run.sh [ROUNDS] [SECONDS]     (as root; defaults 3 rounds of 5 s)
#
# Needs dnsperf, dnsmasq (apt-get install dnsperf dnsmasq-base) and dotnet. Everything it starts
# is stopped by its process id on exit; its namespaces and links are removed.
set -u
rounds=${1:-3}
seconds=${2:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
for tool in dnsperf dnsmasq; do command -v $tool >/dev/null || { echo "missing: $tool" >&2; exit 1; }; done
exec 9>/run/vswitch-bench.lock
flock -n 9 || { echo "another benchmark holds /run/vswitch-bench.lock; waiting for it" >&2; flock 9; }

work=$(mktemp -d)
pids=()
nss=(vsdA vsdB vsdF vsdU)
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  for n in "${nss[@]}"; do ip netns del "$n" 2>/dev/null; done
  for l in vsda vsdb vsdf vsdu vsdfu; do ip link del "$l" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

dotnet build "$root/src/vswitchd" -c Release -o "$work/vswitchd" -v quiet -nologo >/dev/null || exit 1

# Tables: 1000 names in the switch's hosts file (and F's); 1000 other names only the upstream has.
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "198.18.%d.%d t%d.bench.test\n", 10 + int(i / 250), 1 + i % 250, i }' > "$work/hosts"
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "198.18.%d.%d m%d.upstream.test\n", 20 + int(i / 250), 1 + i % 250, i }' > "$work/upstream-hosts"
awk 'BEGIN { srand(7); for (q = 0; q < 20000; q++) printf "m%d.upstream.test A\n", 1 + int(rand() * 1000) }' > "$work/miss-queries"
awk 'BEGIN { srand(8); for (q = 0; q < 20000; q++) printf "t%d.bench.test A\n", 1 + int(rand() * 1000) }' > "$work/table-queries"
: > "$work/ethers"

for n in "${nss[@]}"; do ip netns add "$n"; ip netns exec "$n" ip link set lo up; done
# A and F on the switch; U by veths from the root namespace (198.19.0.0/30) and from F (198.19.0.4/30).
ip link add vsda type veth peer name a0; ip link set a0 netns vsdA
ip link add vsdb type veth peer name b0; ip link set b0 netns vsdB
ip link add vsdf type veth peer name f0; ip link set f0 netns vsdF
ip link add vsdu type veth peer name u0; ip link set u0 netns vsdU
ip link add vsdfu type veth peer name u1; ip link set u1 netns vsdU; ip link set vsdfu netns vsdF
ip link set vsda up; ip link set vsdb up; ip link set vsdf up; ip link set vsdu up
ip addr add 198.19.0.1/30 dev vsdu
ip netns exec vsdA sh -c 'ip addr add 198.18.0.1/24 dev a0 && ip link set a0 up'
ip netns exec vsdB sh -c 'ip addr add 198.18.0.2/24 dev b0 && ip link set b0 up'
ip netns exec vsdF sh -c 'ip addr add 198.18.0.3/24 dev f0 && ip link set f0 up && ip addr add 198.19.0.5/30 dev vsdfu && ip link set vsdfu up'
ip netns exec vsdU sh -c 'ip addr add 198.19.0.2/30 dev u0 && ip link set u0 up && ip addr add 198.19.0.6/30 dev u1 && ip link set u1 up'

"$work/vswitchd/vswitchd" --port afpacket:vsda --port afpacket:vsdb --port afpacket:vsdf --hosts "$work/hosts" --ethers "$work/ethers" \
  --zone bench.test --dns-address 198.18.0.250 --dns-upstream 198.19.0.2 --peephole-rate-limit 0 --control none \
  > "$work/vswitchd.log" 2>&1 &
pids+=($!)
ip netns exec vsdU dnsmasq --keep-in-foreground --no-resolv --no-hosts --addn-hosts="$work/upstream-hosts" \
  --listen-address=198.19.0.2 --listen-address=198.19.0.6 --bind-interfaces --user=root --pid-file= --local-ttl=60 \
  > "$work/upstream.log" 2>&1 &
pids+=($!)
ip netns exec vsdF dnsmasq --keep-in-foreground --no-resolv --no-hosts --addn-hosts="$work/hosts" --cache-size=0 \
  --server=198.19.0.6 --listen-address=198.18.0.3 --bind-interfaces --user=root --pid-file= --local-ttl=60 \
  > "$work/forwarder.log" 2>&1 &
pids+=($!)
for i in $(seq 1 40); do
  ip netns exec vsdA dig +tries=1 +time=1 @198.18.0.250 m1.upstream.test | grep -q 'IN.A' &&
  ip netns exec vsdA dig +tries=1 +time=1 @198.18.0.3 m1.upstream.test | grep -q 'IN.A' && break
  sleep 0.5
done

# $1 case, $2 side (vswitch|dnsmasq), $3 server, $4 query file, $5 extra dnsperf options
run() {
  local out lat n
  out=$(ip netns exec vsdA dnsperf -s "$3" -d "$4" -l "$seconds" -c 8 -q 200 $5 2>&1)
  ip netns exec vsdA dnsperf -s "$3" -d "$4" -l "$seconds" -c 8 -q 200 -Q 2000 -v $5 2>/dev/null \
    | awk '/^> / {print $NF * 1000}' | sort -n > "$work/lat"
  n=$(wc -l < "$work/lat")
  printf '%s %s %s %s %s %s\n' "$1" "$2" \
    "$(echo "$out" | awk '/Queries per second/ {printf "%.0f", $4}')" \
    "$(echo "$out" | awk '/Average Latency/ {printf "%.3f", $4 * 1000; exit}')" \
    "$( [ "$n" -gt 0 ] && sed -n "$(( (n * 99 + 99) / 100 ))p" "$work/lat" || echo -)" \
    "$(echo "$out" | awk '/Queries lost/ {gsub(/[(%)]/, "", $4); print $4}')"
}

# $1 side (quiet|flooded): flood-ping replies per second from A to F, B flooding the DNS address when flooded.
forward() {
  local flood=() received
  if [ "$1" = flooded ]; then
    ip netns exec vsdB dnsperf -s 198.18.0.250 -d "$work/miss-queries" -l $((seconds + 2)) -c 8 -q 500 >/dev/null 2>&1 & flood+=($!)
    ip netns exec vsdB dnsperf -s 198.18.0.250 -m tcp -d "$work/table-queries" -l $((seconds + 2)) -c 50 -q 500 >/dev/null 2>&1 & flood+=($!)
    pids+=("${flood[@]}")
    sleep 1
  fi
  received=$(ip netns exec vsdA ping -f -q -w "$seconds" 198.18.0.3 2>/dev/null | awk '/received/ {print $4}')
  for p in "${flood[@]}"; do wait "$p" 2>/dev/null; done
  printf 'forward %s %s - - -\n' "$1" "$(( ${received:-0} / seconds ))"
}

echo "case side qps avg_ms p99_ms lost_pct" > "$work/rows"
for r in $(seq 1 "$rounds"); do
  log "round $r of $rounds"
  sides=(vswitch dnsmasq); [ $((r % 2)) -eq 0 ] && sides=(dnsmasq vswitch)
  for s in "${sides[@]}"; do
    server=198.18.0.250; [ "$s" = dnsmasq ] && server=198.18.0.3
    run miss-udp "$s" $server "$work/miss-queries" "" | tee -a "$work/rows"
    run table-tcp "$s" $server "$work/table-queries" "-m tcp" | tee -a "$work/rows"
  done
  fsides=(quiet flooded); [ $((r % 2)) -eq 0 ] && fsides=(flooded quiet)
  for f in "${fsides[@]}"; do forward "$f" | tee -a "$work/rows"; done
done

echo
echo "medians over $rounds rounds ($seconds s each):"
awk 'NR > 1 { k = $1 " " $2; q[k] = q[k] " " $3; a[k] = a[k] " " $4; p[k] = p[k] " " $5 }
  function med(s,   v, n, i, j, t) { n = split(s, v, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
  END { printf "%-10s %-8s %10s %10s %10s\n", "case", "side", "qps/pps", "avg_ms", "p99_ms"
    for (k in q) { split(k, c, " "); printf "%-10s %-8s %10.0f %10.3f %10.3f\n", c[1], c[2], med(q[k]), med(a[k]), med(p[k]) } }' "$work/rows" | sort
echo
echo "all runs:"; cat "$work/rows"
grep -i "error\|fail" "$work/vswitchd.log" | head -5
