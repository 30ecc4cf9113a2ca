#!/usr/bin/env bash
# A copy-paste demo of VSwitch on a machine where vswitchd runs with its defaults (TAP ports vs0
# and vs1). It makes two hosts (network namespaces) on those ports and shows ping between them,
# and arping and dig answered by the switch itself from its tables, then vswitchctl stats.
# Run as root from the repository: docs/demo/demo.sh. It undoes everything it did on exit.
# Addresses: 198.18.0.0/15 and 2001:db8::/32 only (benchmarking and documentation ranges).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
dotnet build "$root/src/vswitchctl" -c Release -o "$out" -v quiet -nologo >/dev/null
ctl() { dotnet "$out/vswitchctl.dll" "$@"; }

if ! ctl ports >/dev/null; then
  echo "start the switch first, in another terminal: dotnet run --project src/vswitchd -c Release" >&2
  exit 1
fi

cleanup() {
  set +e
  for i in 0 1; do ip -n vsdemo$i link set vs$i netns 1 2>/dev/null; ip netns del vsdemo$i 2>/dev/null; done
  ctl hosts del web.lab >/dev/null 2>&1
  ctl hosts del web >/dev/null 2>&1
  ctl ethers del 198.18.0.53 >/dev/null 2>&1
  ctl ethers del 198.18.0.10 >/dev/null 2>&1
  rm -rf "$out"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Table entries, written to the table files before the switch acknowledges them"
ctl hosts add 198.18.0.10 web.lab web
ctl ethers add 02:00:00:00:00:10 198.18.0.10     # web.lab's MAC: no host has it, the switch answers ARP
ctl ethers add 02:00:00:00:00:53 198.18.0.53     # a DNS server address that no process serves

step "Two hosts on the switch's TAP ports"
for i in 0 1; do
  ip netns add vsdemo$i
  ip link set vs$i netns vsdemo$i
  ip -n vsdemo$i addr add 198.18.0.$((i + 1))/24 dev vs$i
  ip -n vsdemo$i addr add 2001:db8::$((i + 1))/64 dev vs$i nodad
  ip -n vsdemo$i link set vs$i up
  ip -n vsdemo$i link set lo up
done

step "ping across the switch (IPv4, IPv6)"
ip netns exec vsdemo0 ping -c 3 -i 0.2 198.18.0.2
ip netns exec vsdemo0 ping -6 -c 3 -i 0.2 2001:db8::2

step "arping for 198.18.0.10: only the ethers table knows it; the switch answers"
ip netns exec vsdemo0 arping -c 2 -I vs0 198.18.0.10

step "dig web.lab at 198.18.0.53: no DNS server runs anywhere; the switch answers"
ip netns exec vsdemo1 dig +tries=1 +time=2 @198.18.0.53 web.lab A
ip netns exec vsdemo1 dig +tries=1 +time=2 +short @198.18.0.53 -x 198.18.0.10

step "What the switch counted"
ctl stats peephole/
ctl ports
