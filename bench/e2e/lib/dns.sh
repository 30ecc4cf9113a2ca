# DNS through VSwitch (issue 5): dnsperf in namespace A, dnsmasq in namespace C behind the same
# VSwitch (AF_PACKET ports), answering (a) from VSwitch's peephole, the names being in its hosts
# table, and (b) from dnsmasq, VSwitch's table being empty so every query crosses the switch.
# The responder's rate limit is off (--peephole-rate-limit 0) so that it does not cap the rate.

DNS_NAMES=1060

# hosts file of $1 names: host-N.bench.test with an IPv4 and an IPv6 address each.
dns_hosts() {
  awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) {
      printf "198.18.%d.%d host-%d.bench.test\n", 1 + int(i / 250), 1 + i % 250, i
      printf "2001:db8::%x host-%d.bench.test\n", i, i } }'
}

# dnsperf query file: mostly A, some AAAA and PTR, all for names both servers have.
dns_queries() {
  awk -v n="$1" 'BEGIN { srand(5); for (q = 0; q < 20000; q++) {
      i = 1 + int(rand() * n); r = rand()
      if (r < 0.7) printf "host-%d.bench.test A\n", i
      else if (r < 0.85) printf "host-%d.bench.test AAAA\n", i
      else printf "%d.%d.18.198.in-addr.arpa PTR\n", 1 + i % 250, 1 + int(i / 250) } }'
}

dns_prepare() {
  dns_hosts $DNS_NAMES > "$WORK/dns-hosts"
  dns_queries $DNS_NAMES > "$WORK/dns-queries"
}

# $1: peephole or dnsmasq
measure_dns() {
  local mode=$1 tables="--hosts none --ethers none"
  [ "$mode" = peephole ] && tables="--hosts $WORK/dns-hosts --ethers none --zone bench.test"
  namespaces_up $NS_A $NS_C
  veth_pair a0 vsba; veth_pair c0 vsbc
  vswitchd_start "--port afpacket:vsba --port afpacket:vsbc $tables" || { switch_down; return 1; }
  host_attach a0 $NS_A $IP_A
  host_attach c0 $NS_C $IP_C
  local dnsmasq
  spawn dnsmasq "$WORK/dnsmasq.log" ip netns exec $NS_C dnsmasq --keep-in-foreground --no-resolv --no-hosts \
    --addn-hosts="$WORK/dns-hosts" --listen-address=$IP_C --bind-interfaces --user=root --pid-file= --local=/bench.test/
  wait_for_ping $NS_A $IP_C || log "dns: no ping from A to C"
  sleep 0.5
  CASE=dns-$mode

  local m0 m1 cpu0 cpu1 d0 d1 out hz; hz=$(getconf CLK_TCK)
  m0=$(machine_ticks); cpu0=$(proc_ticks "$VS_PID"); d0=$(proc_ticks "$dnsmasq")
  out=$(ip netns exec $NS_A taskset -c 0 dnsperf -s $IP_C -d "$WORK/dns-queries" -l "$SECONDS_PER_RUN" -c 4 -q 200 2>&1)
  m1=$(machine_ticks); cpu1=$(proc_ticks "$VS_PID"); d1=$(proc_ticks "$dnsmasq")
  local qps completed
  qps=$(echo "$out" | awk '/Queries per second/ {printf "%.0f", $4}')
  completed=$(echo "$out" | awk '/Queries completed/ {print $3}')
  row qps "${qps:-0}"
  row max_avg_ms "$(echo "$out" | awk '/Average Latency/ {printf "%.3f", $4 * 1000}')"
  row max_lost_pct "$(echo "$out" | awk '/Queries lost/ {gsub(/[(%)]/, "", $4); print $4}')"
  row machine_cpu_pct "$(echo "$m0 $m1" | awk '{printf "%.0f", ($3 - $1) * 100 / ($4 - $2)}')"
  row switch_cpu_pct $(( (cpu1 - cpu0) * 100 / hz / SECONDS_PER_RUN ))
  row dnsmasq_cpu_pct $(( (d1 - d0) * 100 / hz / SECONDS_PER_RUN ))
  # CPU time of the whole machine per answered query, client included.
  [ "${completed:-0}" -gt 0 ] && row machine_cpu_us_per_query "$(echo "$m0 $m1 $completed $hz" | awk '{printf "%.1f", ($3 - $1) / $6 * 1e6 / $5}')"

  ip netns exec $NS_A taskset -c 0 dnsperf -s $IP_C -d "$WORK/dns-queries" -l "$SECONDS_PER_RUN" -c 4 -q 200 -Q 20000 -v 2>/dev/null \
    | awk '/^> / {print $NF * 1000}' | sort -n > "$WORK/dns-latency.txt"
  local n; n=$(wc -l < "$WORK/dns-latency.txt")
  row fixed_rate_qps $(( n / SECONDS_PER_RUN ))
  if [ "$n" -gt 0 ]; then
    row fixed_rate_avg_ms "$(awk '{s += $1} END {printf "%.3f", s / NR}' "$WORK/dns-latency.txt")"
    row fixed_rate_p99_ms "$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$WORK/dns-latency.txt")"
  fi
  stop_group "$dnsmasq"
  switch_down
}
