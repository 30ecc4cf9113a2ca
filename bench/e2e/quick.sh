#!/usr/bin/env bash
# Quick end-to-end figures for VSwitch alone: TCP throughput (iperf3, interfaces' default
# offloads left on) and ping RTT through an idle switch, with TAP ports and with AF_PACKET ports
# on veth pairs, next to a plain veth pair. Run as root from anywhere: bench/e2e/quick.sh
# Needs iproute2, iperf3, iputils-ping (it names what is missing and installs nothing).
# Hosts are namespaces with addresses from 198.18.0.0/15 only; everything made is removed on exit.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
for tool in ip iperf3 ping dotnet; do
  command -v $tool >/dev/null || { echo "missing: $tool (apt-get install iproute2 iperf3 iputils-ping)" >&2; exit 1; }
done
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  ip netns del vsq-a 2>/dev/null; ip netns del vsq-b 2>/dev/null
  for l in vsq0 vsq1 vsqd; do ip link del $l 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
dotnet build "$root/src/vswitchd" -c Release -o "$work/bin" -v quiet -nologo >/dev/null || exit 1
: > "$work/hosts"; : > "$work/ethers"

hosts_up() {  # $1 $2: the interfaces to move into namespaces a and b
  ip netns add vsq-a; ip netns add vsq-b
  ip link set "$1" netns vsq-a; ip link set "$2" netns vsq-b
  ip -n vsq-a addr add 198.18.0.1/24 dev "$1"; ip -n vsq-a link set "$1" up
  ip -n vsq-b addr add 198.18.0.2/24 dev "$2"; ip -n vsq-b link set "$2" up
  sleep 1
}

measure() {  # $1: label
  ip netns exec vsq-a ping -c 3 -W 2 198.18.0.2 >/dev/null
  ip netns exec vsq-b iperf3 -s -1 -B 198.18.0.2 >/dev/null 2>&1 &
  sleep 0.5
  gbps=$(ip netns exec vsq-a iperf3 -c 198.18.0.2 -t 5 -f g | awk '/receiver/ {print $7}')
  rtt=$(ip netns exec vsq-a ping -c 200 -i 0.02 198.18.0.2 | awk -F'= ' '/rtt/ {print $2}')
  printf '%-28s TCP %6s Gbit/s   ping min/avg/max/mdev %s\n' "$1" "$gbps" "$rtt"
}

teardown() {
  [ -n "$pid" ] && kill -TERM "$pid" && wait "$pid" 2>/dev/null; pid=""
  ip netns del vsq-a; ip netns del vsq-b
  for l in vsq0 vsq1 vsqd; do ip link del $l 2>/dev/null; done
}

ip link add vsqd type veth peer name vsqdp
hosts_up vsqd vsqdp
measure "plain veth pair (no switch)"
teardown

dotnet "$work/bin/vswitchd.dll" --port tap:vsq0 --port tap:vsq1 --hosts "$work/hosts" --ethers "$work/ethers" \
  --control "$work/sock" >"$work/log" 2>&1 &
pid=$!; sleep 3
hosts_up vsq0 vsq1
measure "VSwitch, TAP ports"
teardown

ip link add vsq0 type veth peer name vsq0h; ip link add vsq1 type veth peer name vsq1h
dotnet "$work/bin/vswitchd.dll" --port afpacket:vsq0 --port afpacket:vsq1 --hosts "$work/hosts" --ethers "$work/ethers" \
  --control "$work/sock" >"$work/log" 2>&1 &
pid=$!; sleep 3
hosts_up vsq0h vsq1h
measure "VSwitch, AF_PACKET ports"
teardown
