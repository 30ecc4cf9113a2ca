#!/bin/bash
# The table at scale (issue 15), against dnsmasq on the same hosts file, in one run:
#   - start-up: from exec to the control socket answering with the tables in service (vswitchd,
#     both as the README builds it, JIT, and as NativeAOT when clang is there),
#     and to the first answer for the file's last name (dnsmasq);
#   - memory: VmRSS a few seconds after that, and the peak (VmHWM);
#   - edits: `hosts add` and `hosts del` over the control socket, each acknowledged only once it
#     is on disk (journal fsynced) and answering; then whether the background fold put them in
#     the file.
# usage: bench/table-scale/run.sh [NAMES=1000000] [EDITS=200]   (as root: TAP device, namespace)
# Addresses: the first 131,072 names from 198.18.0.0/15, the rest from 2001:db8::/32, each name
# its own address. dnsmasq runs in a namespace of its own (lo only). Everything it starts is
# stopped by its process id on exit; the namespace and the TAP device are removed.
set -u
names=${1:-1000000}
edits=${2:-200}
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v dnsmasq >/dev/null || { echo "missing: dnsmasq (apt-get install dnsmasq-base)" >&2; exit 1; }
command -v dig >/dev/null || { echo "missing: dig (apt-get install bind9-dnsutils)" >&2; exit 1; }
exec 9>/run/vswitch-bench.lock
flock -n 9 || { echo "another benchmark holds /run/vswitch-bench.lock; waiting for it" >&2; flock 9; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  ip netns del vstsD 2>/dev/null
  ip link del vsts0 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
rss() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# Two builds of the same code: the framework-dependent one the README runs (JIT), and NativeAOT,
# the self-contained form a package can ship (needs clang and zlib1g-dev; skipped without them).
dotnet build "$root/src/vswitchd" -c Release -o "$work/jit" -v quiet -nologo >/dev/null || exit 1
builds=(jit)
if command -v clang >/dev/null && dpkg-query -W -f='${Status}' zlib1g-dev 2>/dev/null | grep -q "install ok installed"; then
  dotnet publish "$root/src/vswitchd" -c Release -r linux-x64 -p:PublishAot=true -o "$work/aot" -v quiet -nologo >/dev/null \
    && builds+=(aot) || echo "NativeAOT build failed; measuring the JIT build only" >&2
else
  echo "no clang or zlib1g-dev: measuring the JIT build only" >&2
fi
awk -v n="$names" 'BEGIN {
  for (i = 0; i < n; i++) {
    if (i < 131072) a = sprintf("198.%d.%d.%d", 18 + int(i / 65536), int(i / 256) % 256, i % 256);
    else a = sprintf("2001:db8::%x:%x", int(i / 65536), i % 65536);
    printf "%s\th%d.bench.cluster.local\n", a, i
  } }' > "$work/hosts"
: > "$work/ethers"
last="h$((names - 1)).bench.cluster.local"
last_type=$([ "$names" -gt 131072 ] && echo AAAA || echo A)
echo "# Table scale: $names names ($(stat -c %s "$work/hosts") bytes), $edits edits"

# vswitchd, each build in turn; the last one started stays up for the edits.
declare -A ready rss_of hwm_of
for b in "${builds[@]}"; do
  [ -n "${vs:-}" ] && { kill "$vs"; wait "$vs" 2>/dev/null; ip link del vsts0 2>/dev/null; rm -f "$work/ctl.sock"; }
  start=$(now)
  "$work/$b/vswitchd" --hosts "$work/hosts" --ethers "$work/ethers" --control "$work/ctl.sock" \
    --port tap:vsts0 > "$work/vswitchd-$b.log" 2>&1 &
  pids+=($!); vs=$!
  until [ -S "$work/ctl.sock" ] && echo '{"command":"stats"}' | python3 -c '
import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read()); print(s.recv(100))' "$work/ctl.sock" >/dev/null 2>&1; do
    kill -0 $vs 2>/dev/null || { cat "$work/vswitchd-$b.log"; exit 1; }; sleep 0.02; done
  ready[$b]=$(since "$start")
  sleep 3
  rss_of[$b]=$(rss $vs); hwm_of[$b]=$(hwm $vs)
done

# dnsmasq
ip netns add vstsD; ip netns exec vstsD ip link set lo up
start=$(now)
ip netns exec vstsD dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
  --addn-hosts="$work/hosts" --listen-address=127.0.0.1 --bind-interfaces --user=root \
  --pid-file="$work/dnsmasq.pid" --log-facility="$work/dnsmasq.log" &
pids+=($!); dm=$!
# dnsmasq reads a large addn-hosts file slowly; give it ten minutes.
until ip netns exec vstsD dig +short +tries=1 +time=1 @127.0.0.1 "$last" "$last_type" 2>/dev/null | grep -q "^[0-9a-f]"; do
  kill -0 $dm 2>/dev/null || { cat "$work/dnsmasq.log"; exit 1; }
  [ "$(echo "$(since "$start") > 600" | bc)" = 1 ] && { echo "dnsmasq did not answer within 600 s" >&2; break; }
  sleep 0.2; done
dm_ready=$(since "$start")
sleep 3
dm_rss=$(rss $dm); dm_hwm=$(hwm $dm)

printf '| |'; for b in "${builds[@]}"; do printf ' vswitchd (%s) |' "$b"; done; printf ' dnsmasq |\n|---|'
for b in "${builds[@]}"; do printf -- '---|'; done; printf -- '---|\n'
printf '| ready (s) |'; for b in "${builds[@]}"; do printf ' %.2f |' "${ready[$b]}"; done; printf ' %.2f |\n' "$dm_ready"
printf '| RSS after load (MiB) |'; for b in "${builds[@]}"; do printf ' %s |' "${rss_of[$b]}"; done; printf ' %s |\n' "$dm_rss"
printf '| peak RSS (MiB) |'; for b in "${builds[@]}"; do printf ' %s |' "${hwm_of[$b]}"; done; printf ' %s |\n' "$dm_hwm"
echo "edits below: against the ${builds[-1]} build"

python3 "$root/bench/table-scale/edits.py" "$work/ctl.sock" "$edits"
sleep 3
grep -c 'edit.*scale.test' "$work/hosts" | sed 's/^/edit lines left in the hosts file after the fold (expect 0): /'
echo "journal after the fold: $( [ -e "$work/hosts.journal" ] && echo present || echo gone)"
echo "vswitchd RSS after the edits: $(rss $vs) MiB"
