#!/usr/bin/env bash
# DHCP end to end (issue #8): time from DISCOVER to ACK as a client sees it, for leases answered
# by VSwitch's DHCP responder (client MACs in the ethers table) and for leases from dnsmasq as
# the DHCP server behind the same switch (client MACs the table does not have, so the switch
# forwards them), interleaved in one run; then leases per second at the limit for each.
#
# The timing client is bench/DhcpProbe (a raw AF_PACKET socket, nanosecond timestamps, many
# client MACs from one namespace). busybox udhcpc is timed too, as a real client process
# (wall time of the whole process, so it includes starting it).
#
# Run as root from anywhere:  bench/e2e/dhcp.sh [--kind afpacket|tap] [--leases N] [--seconds S]
#                                               [--windows "8 32 128"] [--udhcpc N] [--vswitchd-arg ARG]...
# Needs iproute2, dnsmasq (dnsmasq-base), busybox and dotnet; it names what is missing and
# installs nothing. Hosts are namespaces with addresses from 198.18.0.0/15 only; everything it
# made (namespaces, links, the daemon, dnsmasq, its temp dir) is removed on exit, and it ends
# only the processes it started.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
kind=afpacket leases=300 seconds=5 windows="8 32 128" udhcpc_runs=30 vswitchd_args=()
while (($#)); do
  case "$1" in
    --kind) kind=$2 ;;
    --leases) leases=$2 ;;
    --seconds) seconds=$2 ;;
    --windows) windows=$2 ;;
    --udhcpc) udhcpc_runs=$2 ;;
    --vswitchd-arg) vswitchd_args+=("$2") ;;   # e.g. --vswitchd-arg --idle --vswitchd-arg spin
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
[ "$kind" = tap ] || [ "$kind" = afpacket ] || { echo "--kind is tap or afpacket" >&2; exit 2; }
missing=()
for tool in ip dnsmasq busybox dotnet; do command -v $tool >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  echo "missing: ${missing[*]} (apt-get install iproute2 dnsmasq-base busybox; dotnet from the .NET SDK)" >&2
  exit 1
fi
[ "$(id -u)" = 0 ] || { echo "needs root (namespaces, TAP devices, raw sockets)" >&2; exit 1; }

work=$(mktemp -d)
vs_pid="" dm_pid="" lease_disk="" lease_mem=""
cleanup() {
  [ -n "$dm_pid" ] && kill -TERM "$dm_pid" 2>/dev/null && wait "$dm_pid" 2>/dev/null
  [ -n "$vs_pid" ] && kill -TERM "$vs_pid" 2>/dev/null && wait "$vs_pid" 2>/dev/null
  ip netns del vsd-c 2>/dev/null; ip netns del vsd-s 2>/dev/null
  for l in vsdc vsds; do ip link del $l 2>/dev/null; done
  rm -rf "$work" "${lease_disk:-}" "${lease_mem:-}"
}
trap cleanup EXIT INT TERM

echo "building vswitchd, vswitchctl and DhcpProbe (Release)..." >&2
dotnet build "$root/src/vswitchd" -c Release -o "$work/vswitchd" -v quiet -nologo >/dev/null || exit 1
dotnet build "$root/src/vswitchctl" -c Release -o "$work/vswitchctl" -v quiet -nologo >/dev/null || exit 1
dotnet build "$root/bench/DhcpProbe" -c Release -o "$work/probe" -v quiet -nologo >/dev/null || exit 1

# 200 client MACs per side. Table clients 02:00:00:01:00:NN get 198.18.1.(NN+1) from the switch;
# 02:00:00:02:00:NN are not in the table and get dnsmasq's 198.18.2.x. 198.18.0.53 is the DNS
# server and server identifier, in the table so that clients can ARP for it.
macs=200
{
  echo "02:00:00:00:00:53 198.18.0.53"
  for ((i = 0; i < macs; i++)); do printf '02:00:00:01:00:%02x 198.18.1.%d\n' $i $((i + 1)); done
} >"$work/ethers"
: >"$work/hosts"

if [ "$kind" = tap ]; then
  ports=(--port tap:vsdc --port tap:vsds)
  client_dev=vsdc server_dev=vsds
else
  ip link add vsdc type veth peer name vsdch && ip link add vsds type veth peer name vsdsh || exit 1
  ip link set vsdc up; ip link set vsds up
  ports=(--port afpacket:vsdc --port afpacket:vsds)
  client_dev=vsdch server_dev=vsdsh
fi
dotnet "$work/vswitchd/vswitchd.dll" "${ports[@]}" --hosts "$work/hosts" --ethers "$work/ethers" \
  --dhcp 198.18.0.0/16,router=198.18.0.1,dns=198.18.0.53,domain=bench.local,lease=3600 \
  --control "$work/sock" ${vswitchd_args[@]+"${vswitchd_args[@]}"} >"$work/vswitchd.log" 2>&1 &
vs_pid=$!
for _ in $(seq 50); do [ -S "$work/sock" ] && break; sleep 0.2; done
[ -S "$work/sock" ] || { echo "vswitchd did not start:" >&2; cat "$work/vswitchd.log" >&2; exit 1; }
sleep 0.5

ip netns add vsd-c; ip netns add vsd-s
ip link set $client_dev netns vsd-c; ip link set $server_dev netns vsd-s
ip -n vsd-c link set $client_dev name eth0; ip -n vsd-s link set $server_dev name eth0
ip -n vsd-c link set eth0 address 02:00:00:00:01:00
ip -n vsd-s link set eth0 address 02:00:00:00:00:02
ip -n vsd-s addr add 198.18.0.2/16 dev eth0
for ns in vsd-c vsd-s; do ip -n $ns link set lo up; ip -n $ns link set eth0 up; done

# dnsmasq as a plain DHCP server: no DNS (--port=0), no ICMP check before a new address
# (--no-ping; by default dnsmasq leaves a new client's first DISCOVER unanswered while it pings),
# no per-lease log lines (--quiet-dhcp). It rewrites and fsyncs its lease file on every ACK, so
# where that file lives matters: it runs once with the file on disk (/var/tmp, as its default
# /var/lib/misc would be) and once on tmpfs (/dev/shm, dnsmasq at its fastest).
lease_disk=$(mktemp -d -p /var/tmp vsd-dnsmasq.XXXXXX) lease_mem=$(mktemp -d -p /dev/shm vsd-dnsmasq.XXXXXX)
start_dnsmasq() {  # $1: the lease file's directory; $2: "ping" to keep dnsmasq's default ICMP check
  local ping=--no-ping
  [ "${2:-}" = ping ] && ping=""
  rm -f "$1/dnsmasq.leases" "$work/dnsmasq.pid"
  ip netns exec vsd-s dnsmasq --keep-in-foreground --port=0 --no-resolv --no-hosts --bind-interfaces \
    --listen-address=198.18.0.2 --except-interface=lo --dhcp-range=198.18.2.1,198.18.2.250,255.255.0.0,3600 \
    --dhcp-leasefile="$1/dnsmasq.leases" --pid-file="$work/dnsmasq.pid" --user=root \
    $ping --quiet-dhcp --log-facility="$work/dnsmasq.log" &
  dm_pid=$!
  for _ in $(seq 50); do [ -s "$work/dnsmasq.pid" ] && break; sleep 0.1; done
  [ -s "$work/dnsmasq.pid" ] || { echo "dnsmasq did not start:" >&2; cat "$work/dnsmasq.log" >&2; exit 1; }
  sleep 0.5
}
stop_dnsmasq() {
  kill -TERM "$dm_pid" 2>/dev/null && wait "$dm_pid" 2>/dev/null
  dm_pid=""
}
fstype() { df -T "$1" | awk 'NR == 2 { print $2 }'; }

probe() { ip netns exec vsd-c dotnet "$work/probe/DhcpProbe.dll" "$@" --if eth0 --macs $macs; }
switch_kind="switch=02:00:00:01:00:00" dnsmasq_kind="dnsmasq=02:00:00:02:00:00"

echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), kernel $(uname -r), $kind ports, vswitchd ${vswitchd_args[*]:-(defaults)}, $(dnsmasq --version | head -1 | cut -d' ' -f1-3)"
for place in disk mem; do
  if [ $place = disk ]; then dir=$lease_disk; else dir=$lease_mem; fi
  start_dnsmasq "$dir"
  echo
  echo "== dnsmasq's lease file on $(fstype "$dir") ($dir)"
  echo "-- DhcpProbe, one exchange at a time, interleaved (switch, dnsmasq, dnsmasq, switch, ...)"
  probe latency --leases "$leases" --warmup 20 --kind "$switch_kind" --kind "$dnsmasq_kind"
  echo "-- DhcpProbe, leases per second with W exchanges in flight, ${seconds} s each after 1 s warm-up"
  for w in $windows; do
    [ $place = disk ] && probe rate --window "$w" --seconds "$seconds" --kind "$switch_kind"
    probe rate --window "$w" --seconds "$seconds" --kind "$dnsmasq_kind"
  done
  [ $place = disk ] && stop_dnsmasq
done
echo

# udhcpc: the whole client process, alternating a table MAC and a MAC the table does not have
# (set on the client's interface before each run).
cat >"$work/udhcpc.sh" <<'EOF'
#!/bin/sh
exit 0
EOF
chmod +x "$work/udhcpc.sh"
: >"$work/udhcpc-switch" ; : >"$work/udhcpc-dnsmasq"
for ((i = 0; i < udhcpc_runs; i++)); do
  for side in switch dnsmasq; do
    if [ $side = switch ]; then mac=$(printf '02:00:00:01:00:%02x' $((i % macs))); else mac=$(printf '02:00:00:02:00:%02x' $((i % macs))); fi
    ip -n vsd-c link set eth0 address "$mac"
    t0=$(date +%s%N)
    if ip netns exec vsd-c busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s "$work/udhcpc.sh" >/dev/null 2>&1; then
      echo $((($(date +%s%N) - t0) / 1000)) >>"$work/udhcpc-$side"
    fi
  done
done
stats() {  # $1: label, $2: file of microseconds
  sort -n "$2" | awk -v label="$1" -v runs="$udhcpc_runs" '{ v[NR] = $1 }
    END { if (NR == 0) { printf "%-10s no lease in %d runs\n", label, runs; exit }
          m = v[int((NR + 1) / 2)]; q = v[int(NR * 0.99 + 0.999)]; if (q == "") q = v[NR]
          printf "%-10s %7d %5d %9d %9d %9d %9d\n", label, NR, runs - NR, v[1], m, q, v[NR] }'
}
echo "== busybox udhcpc -n -q, wall time of the process (start to exit with a lease), microseconds, interleaved,"
echo "   dnsmasq's lease file on tmpfs; most of each run is udhcpc opening its packet sockets, the same for both"
printf '%-10s %7s %5s %9s %9s %9s %9s\n' kind leases lost min median p99 max
stats switch "$work/udhcpc-switch"
stats dnsmasq "$work/udhcpc-dnsmasq"
echo
# What a new container sees from dnsmasq as installed: the ICMP check on (its default) and a MAC
# it has never leased to, so each run makes it allocate; udhcpc with its default 3 s retransmit.
stop_dnsmasq
start_dnsmasq "$lease_mem" ping
: >"$work/udhcpc-new"
for ((i = 0; i < 5; i++)); do
  ip -n vsd-c link set eth0 address "$(printf '02:00:00:04:00:%02x' $i)"
  t0=$(date +%s%N)
  if ip netns exec vsd-c busybox udhcpc -i eth0 -n -q -t 3 -s "$work/udhcpc.sh" >/dev/null 2>&1; then
    echo $((($(date +%s%N) - t0) / 1000)) >>"$work/udhcpc-new"
  fi
done
udhcpc_runs=5
echo "== busybox udhcpc -n -q (3 s retransmit), a new MAC each run, dnsmasq with its default ICMP check, microseconds"
printf '%-10s %7s %5s %9s %9s %9s %9s\n' kind leases lost min median p99 max
stats dnsmasq "$work/udhcpc-new"
echo
echo "== vswitchd DHCP counters (the whole run)"
dotnet "$work/vswitchctl/vswitchctl.dll" --control "$work/sock" stats peephole/dhcp
