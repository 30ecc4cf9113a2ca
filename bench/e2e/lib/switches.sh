# The switches under test, each brought up between namespace A (interface IFA, address IP_A)
# and namespace B (IFB, IP_B). switch_up sets SWITCH_PID (the process whose CPU is the
# switch's, empty for the kernel's own) and switch_down undoes it all.
#
# Pinning: the generator runs on CPU 0 and every userspace switch on CPU 1 (OVS's PMD thread
# via pmd-cpu-mask), as in ../shared/reference/anchors.md.

CASES_ALL="veth bridge vswitch-tap vswitch-afpacket ovs-tap ovs-afpacket ovs-afpacket-tso ovs-afxdp"
SWITCH_PID="" IFA="" IFB="" VS_PID=""

veth_pair() { ip link add "$1" type veth peer name "$2"; }

switch_up() {  # $1 case, $2 extra vswitchd arguments (peephole tables)
  local kind=$1 extra=${2:-}
  SWITCH_PID="" IFA=a0 IFB=b0
  namespaces_up $NS_A $NS_B
  case $kind in
    veth)
      veth_pair a0 b0 ;;
    bridge)
      veth_pair a0 vsba; veth_pair b0 vsbb
      ip link add vsbbr type bridge
      ip link set vsbbr addrgenmode none 2>/dev/null
      ip link set vsba master vsbbr; ip link set vsbb master vsbbr
      ip link set vsba up; ip link set vsbb up; ip link set vsbbr up ;;
    vswitch-tap)
      vswitchd_start "--port tap:vsba --port tap:vsbb $extra" || return 1
      IFA=vsba IFB=vsbb ;;
    vswitch-afpacket)
      veth_pair a0 vsba; veth_pair b0 vsbb
      vswitchd_start "--port afpacket:vsba --port afpacket:vsbb $extra" || return 1 ;;
    ovs-tap)
      ovs_start false || return 1
      ovs_vsctl add-port vsbbr0 vsba -- set Interface vsba type=tap
      ovs_vsctl add-port vsbbr0 vsbb -- set Interface vsbb type=tap
      IFA=vsba IFB=vsbb ;;
    ovs-afpacket|ovs-afpacket-tso)
      ovs_start "$([ $kind = ovs-afpacket-tso ] && echo true || echo false)" || return 1
      veth_pair a0 vsba; veth_pair b0 vsbb
      ip link set vsba up; ip link set vsbb up
      ovs_vsctl add-port vsbbr0 vsba; ovs_vsctl add-port vsbbr0 vsbb ;;
    ovs-afxdp)
      ovs_start false || return 1
      veth_pair a0 vsba; veth_pair b0 vsbb
      ip link set vsba up; ip link set vsbb up
      ovs_vsctl add-port vsbbr0 vsba -- set Interface vsba type=afxdp
      ovs_vsctl add-port vsbbr0 vsbb -- set Interface vsbb type=afxdp ;;
    *) log "unknown case $kind"; return 1 ;;
  esac
  for _ in $(seq 50); do ip link show "$IFA" >/dev/null 2>&1 && ip link show "$IFB" >/dev/null 2>&1 && break; sleep 0.1; done
  host_attach "$IFA" $NS_A $IP_A
  host_attach "$IFB" $NS_B $IP_B
  # Both hosts speak once, so the switch has learned both addresses before the counts start.
  wait_for_ping $NS_A $IP_B || { log "$kind: no ping from A to B"; return 1; }
  ip netns exec $NS_B ping -c 1 -W 1 $IP_A >/dev/null 2>&1
  return 0
}

switch_down() {
  [ -n "$VS_PID" ] && stop_group "$VS_PID"
  VS_PID=""
  ovs_stop
  namespaces_down
  links_down
  SWITCH_PID=""
}

# --- VSwitch --------------------------------------------------------------------------------

vswitchd_start() {  # $1: port and table arguments
  rm -f "$WORK/vs.sock"
  # shellcheck disable=SC2086
  spawn VS_PID "$WORK/vswitchd.log" taskset -c 1 dotnet "$VSBIN/vswitchd.dll" $1 \
    --control "$WORK/vs.sock" --peephole-rate-limit 0 $VSWITCHD_ARGS
  SWITCH_PID=$VS_PID
  for _ in $(seq 100); do
    vsctl ports >/dev/null 2>&1 && return 0
    kill -0 "$VS_PID" 2>/dev/null || break
    sleep 0.1
  done
  log "vswitchd did not start: $(tail -3 "$WORK/vswitchd.log")"
  return 1
}

vsctl() { dotnet "$VSBIN/vswitchctl.dll" --control "$WORK/vs.sock" "$@"; }

# process/allocated-bytes and the GC counts, as "bytes gen0 gen1 gen2".
vswitchd_memory() {
  vsctl stats process/ 2>/dev/null | awk '
    $1 == "process/allocated-bytes" {a = $2}
    $1 ~ /gen0-collections/ {g0 = $2} $1 ~ /gen1-collections/ {g1 = $2} $1 ~ /gen2-collections/ {g2 = $2}
    END {print a + 0, g0 + 0, g1 + 0, g2 + 0}'
}

# Frames the kernel dropped before VSwitch's port $1 read them (its receive ring was full).
vswitchd_ring_drops() {
  vsctl stats "port/$1/rx-dropped-before-port" 2>/dev/null | awk '$1 ~ /rx-dropped-before-port/ {print $2 + 0; found = 1} END {if (!found) print 0}'
}

# --- Open vSwitch, userspace datapath, its files in the run's temp dir ------------------------

OVS_DIR=""
ovs_vsctl() { ovs-vsctl --db="unix:$OVS_DIR/db.sock" --timeout=10 "$@"; }

ovs_start() {  # $1: userspace-tso-enable
  OVS_DIR="$WORK/ovs"
  mkdir -p "$OVS_DIR"
  export OVS_RUNDIR="$OVS_DIR" OVS_LOGDIR="$OVS_DIR" OVS_DBDIR="$OVS_DIR"
  rm -f "$OVS_DIR/conf.db"
  ovsdb-tool create "$OVS_DIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
  ovsdb-server "$OVS_DIR/conf.db" --remote="punix:$OVS_DIR/db.sock" --pidfile="$OVS_DIR/ovsdb.pid" \
    --unixctl="$OVS_DIR/ovsdb.ctl" --log-file="$OVS_DIR/ovsdb.log" -vconsole:off --detach || return 1
  ovs_vsctl --no-wait init
  ovs_vsctl --no-wait set Open_vSwitch . other_config:pmd-cpu-mask=0x2 other_config:userspace-tso-enable="$1"
  taskset -c 1 ovs-vswitchd "unix:$OVS_DIR/db.sock" --pidfile="$OVS_DIR/vswitchd.pid" \
    --unixctl="$OVS_DIR/vswitchd.ctl" --log-file="$OVS_DIR/vswitchd.log" -vconsole:off --detach || return 1
  SWITCH_PID=$(cat "$OVS_DIR/vswitchd.pid")
  ovs_vsctl add-br vsbbr0 -- set bridge vsbbr0 datapath_type=netdev
}

ovs_stop() {
  [ -n "$OVS_DIR" ] || return 0
  stop_pidfile "$OVS_DIR/vswitchd.pid"
  stop_pidfile "$OVS_DIR/ovsdb.pid"
  OVS_DIR=""
}
