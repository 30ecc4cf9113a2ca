# Shared by bench/e2e/run.sh: namespaces, links, processes and counters, and their cleanup.
# Everything made here is recorded and undone by cleanup_all, also when the run is interrupted;
# only processes started here are ended, by their PID (each is started with setsid, so its
# process group holds exactly it and its children, such as trafgen's worker).

NS_A=vsb-a NS_B=vsb-b NS_C=vsb-c
IP_A=198.18.0.1 IP_B=198.18.0.2 IP_C=198.18.0.53 IP_SINK=198.18.0.99
started=()   # PIDs of process groups this run started

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# spawn VAR LOG COMMAND...: starts COMMAND in the background in a session of its own, output to
# LOG, and sets VAR to its PID (not printed: a $(...) subshell would lose the record in $started).
# The child does not inherit the run's lock descriptor.
spawn() {
  local -n _spawned=$1
  local out=$2
  shift 2
  setsid "$@" >"$out" 2>&1 < /dev/null 9>&- &
  _spawned=$!
  started+=("$_spawned")
}

# Ends a process group this run started: TERM (INT for trafgen, which prints its totals on it), then KILL.
stop_group() {
  local pid=$1 sig=${2:-TERM}
  [ -n "$pid" ] || return 0
  kill -"$sig" -- "-$pid" 2>/dev/null || kill -"$sig" "$pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  local keep=() p
  for p in "${started[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  started=("${keep[@]}")
}

# Ends a daemon that detached itself (ovsdb-server, ovs-vswitchd), by the PID in its pidfile.
stop_pidfile() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  rm -f "$file"
}

namespaces_up() {
  local ns
  for ns in "$@"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # No IPv6 on the test hosts: router and neighbour discovery chatter would mix with the counts.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
}

namespaces_down() {
  local ns
  for ns in $NS_A $NS_B $NS_C; do ip netns del "$ns" 2>/dev/null; done
}

# Moves interface $1 into namespace $2 with address $3/24 and brings it up.
host_attach() {
  ip link set "$1" netns "$2"
  ip -n "$2" addr add "$3/24" dev "$1"
  ip -n "$2" link set "$1" up
}

# The links this run makes in the root namespace all start with vsb; deleting them also
# deletes their veth peers in the namespaces.
links_down() {
  local l
  for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^vsb'); do ip link del "$l" 2>/dev/null; done
}

counter() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }
mac_of() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }

# CPU time of a process and all its threads, in clock ticks (utime + stime).
proc_ticks() { [ -n "$1" ] && awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# Whole-machine busy and total jiffies, from /proc/stat's first line.
machine_ticks() { awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8 + $9; total = busy + $5 + $6; print busy, total}' /proc/stat; }

wait_for_ping() {  # $1 namespace, $2 address: until one ping gets through (5 s at most)
  for _ in $(seq 25); do
    ip netns exec "$1" ping -c 1 -W 0.2 "$2" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

cleanup_all() {
  local p
  for p in "${started[@]}"; do stop_group "$p"; done
  ovs_stop
  namespaces_down
  links_down
}
