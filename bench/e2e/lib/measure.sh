# Measurements; each appends "round,case,metric,value" rows to $RAW.
# SECONDS_PER_RUN is how long each measured window lasts; ROUND and CASE name the row.

row() { echo "$ROUND,$CASE,$1,$2" >> "$RAW"; }

# A trafgen packet config: one UDP frame of $1 bytes on the wire including the 4-byte FCS
# (RFC 2544 sizes: 64 B is 60 B handed to the device), from A to B's MAC, to an IP address no
# host has, so B's kernel drops it after counting it and sends nothing back.
trafgen_config() {
  local size=$1 dst=$2 src=$3 len=$(($1 - 4))
  local ip_len=$((len - 14)) udp_len=$((len - 34)) fill=$((len - 42))
  local hex_dst hex_src
  hex_dst=$(echo "$dst" | sed 's/^/0x/; s/:/, 0x/g'); hex_src=$(echo "$src" | sed 's/^/0x/; s/:/, 0x/g')
  cat <<CFG
{ $hex_dst, $hex_src, c16(0x0800),
  0x45, 0x00, c16($ip_len), c16(0), c16(0x4000), 64, 17, csumip(14, 33),
  $(echo $IP_A | tr . ,), $(echo $IP_SINK | tr . ,),
  c16(9), c16(9), c16($udp_len), c16(0), fill(0x00, $fill) }
CFG
}

# Frames per second of $1-byte frames: offered at A (its interface's transmit count, plus what
# a TAP refused) and received at B, over one window, with the switch's CPU and, for VSwitch,
# its allocations. $2 is the metric prefix (pps by default).
measure_pps() {
  local size=$1 name=${2:-pps} cfg="$WORK/trafgen-$1.cfg"
  trafgen_config "$size" "$(mac_of $NS_B $IFB)" "$(mac_of $NS_A $IFA)" > "$cfg"
  local gen
  spawn gen "$WORK/trafgen.log" ip netns exec $NS_A taskset -c 0 trafgen --dev "$IFA" --conf "$cfg" --cpus 1 --no-sock-mem --no-cpu-stats -q
  # Two seconds of warm-up: a switch that has just started (VSwitch's JIT tiering, a table it
  # loaded) is not measured while it settles.
  sleep 2
  local tx0 txd0 rx0 cpu0 m0 mem0 tx1 txd1 rx1 cpu1 m1 mem1 drop0=0 drop1=0
  tx0=$(counter $NS_A "$IFA" tx_packets); txd0=$(counter $NS_A "$IFA" tx_dropped); rx0=$(counter $NS_B "$IFB" rx_packets)
  cpu0=$(proc_ticks "$SWITCH_PID"); m0=$(machine_ticks)
  [ -n "$VS_PID" ] && mem0=$(vswitchd_memory) && drop0=$(vswitchd_ring_drops vsba)
  sleep "$SECONDS_PER_RUN"
  tx1=$(counter $NS_A "$IFA" tx_packets); txd1=$(counter $NS_A "$IFA" tx_dropped); rx1=$(counter $NS_B "$IFB" rx_packets)
  cpu1=$(proc_ticks "$SWITCH_PID"); m1=$(machine_ticks)
  [ -n "$VS_PID" ] && mem1=$(vswitchd_memory) && drop1=$(vswitchd_ring_drops vsba)
  stop_group "$gen" INT
  local hz; hz=$(getconf CLK_TCK)
  row "${name}${size}_offered" $(( (tx1 - tx0 + txd1 - txd0) / SECONDS_PER_RUN ))
  row "${name}${size}" $(( (rx1 - rx0) / SECONDS_PER_RUN ))
  [ -n "$SWITCH_PID" ] && row "${name}${size}_switch_cpu_pct" $(( (cpu1 - cpu0) * 100 / hz / SECONDS_PER_RUN ))
  row "${name}${size}_machine_cpu_pct" "$(echo "$m0 $m1" | awk '{printf "%.0f", ($3 - $1) * 100 / ($4 - $2)}')"
  if [ -n "$VS_PID" ]; then
    read -r a0 g00 g10 g20 <<< "$mem0"; read -r a1 g01 g11 g21 <<< "$mem1"
    row "${name}${size}_frames" $(( rx1 - rx0 ))
    row "${name}${size}_alloc_bytes" $(( a1 - a0 ))
    row "${name}${size}_gcs" $(( g01 - g00 + g11 - g10 + g21 - g20 ))
    row "${name}${size}_dropped_before_switch" $(( (drop1 - drop0) / SECONDS_PER_RUN ))
  fi
}

# What VSwitch allocates in a window with no traffic (control requests, timers), the baseline
# for the allocation measured around the frames-per-second windows.
measure_idle_alloc() {
  local mem0 mem1
  mem0=$(vswitchd_memory); sleep "$SECONDS_PER_RUN"; mem1=$(vswitchd_memory)
  row idle_alloc_bytes $(( ${mem1%% *} - ${mem0%% *} ))
}

# TCP Gbit/s A -> B with iperf3; $1 is the metric name. A failed connection counts as 0
# (Open vSwitch's AF_PACKET ports break TCP with the veths' default checksum offload).
measure_tcp() {
  local name=$1 server gbps
  spawn server "$WORK/iperf3-server.log" ip netns exec $NS_B iperf3 -s -1 -B $IP_B
  sleep 0.5
  gbps=$(timeout $((SECONDS_PER_RUN + 15)) ip netns exec $NS_A iperf3 -c $IP_B -t "$SECONDS_PER_RUN" -f g --connect-timeout 3000 2>/dev/null \
    | awk '/receiver/ {print $7}')
  stop_group "$server"
  row "$name" "${gbps:-0}"
}

# Turns the transmit checksum offload (and with it TSO) off on both hosts' interfaces.
tx_offload_off() {
  ip netns exec $NS_A ethtool -K "$IFA" tx off >/dev/null 2>&1
  ip netns exec $NS_B ethtool -K "$IFB" tx off >/dev/null 2>&1
}

# Ping RTT A -> B: $PINGS pings 20 ms apart through an otherwise idle switch.
measure_ping() {
  ip netns exec $NS_A ping -c "$PINGS" -i 0.02 -W 1 $IP_B 2>/dev/null \
    | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n > "$WORK/rtt.txt"
  local n; n=$(wc -l < "$WORK/rtt.txt")
  [ "$n" -gt 0 ] || { row ping_lost_pct 100; return; }
  row ping_min_ms "$(head -1 "$WORK/rtt.txt")"
  row ping_avg_ms "$(awk '{s += $1} END {printf "%.3f", s / NR}' "$WORK/rtt.txt")"
  row ping_max_ms "$(tail -1 "$WORK/rtt.txt")"
  row ping_p99_ms "$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$WORK/rtt.txt")"
  row ping_lost_pct $(( (PINGS - n) * 100 / PINGS ))
}
