# Network namespaces for the fault suite: a switch namespace holding the bridge, three hosts and
# a client, all on 10.77.0.0/24. Nothing here touches the root namespace's network stack (the
# bridge lives inside pf-sw, so Docker's FORWARD DROP policy in the root namespace never applies).
# Sourced by run.sh; every function is idempotent so cleanup can run at any point.
NS_PREFIX=${NS_PREFIX:-pf}
SW=$NS_PREFIX-sw
CLIENT=$NS_PREFIX-cl
HOSTS=(h1 h2 h3)
SUBNET=10.77.0
CLIENT_ADDR=$SUBNET.20
host_ns() { echo "$NS_PREFIX-$1"; }
host_addr() { echo "$SUBNET.1${1#h}"; }

net_add_ns() {  # NAME ADDR
  local ns=$1 addr=$2 port="${1#"$NS_PREFIX"-}-p"
  ip netns add "$ns"
  ip link add eth0 netns "$ns" type veth peer name "$port" netns "$SW"
  ip -n "$SW" link set "$port" master br0 up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
}

net_up() {
  ip netns add "$SW"
  ip -n "$SW" link add br0 type bridge
  ip -n "$SW" link set br0 up
  ip -n "$SW" link set lo up
  local h
  for h in "${HOSTS[@]}"; do net_add_ns "$(host_ns "$h")" "$(host_addr "$h")"; done
  net_add_ns "$CLIENT" "$CLIENT_ADDR"
}

net_down() {
  local ns
  for ns in "$CLIENT" $(for h in "${HOSTS[@]}"; do host_ns "$h"; done) "$SW"; do
    ip netns del "$ns" 2>/dev/null || true
  done
}

# --- faults: an nft table "chaos" inside one host namespace -------------------------------------
chaos_clear() { ip netns exec "$(host_ns "$1")" nft delete table inet chaos 2>/dev/null || true; }
chaos_rules() {  # HOST: loads IN_RULES and OUT_RULES (arrays) as the table inet chaos
  local ns; ns=$(host_ns "$1")
  chaos_clear "$1"
  {
    echo "table inet chaos {"
    echo "  chain input { type filter hook input priority -10; policy accept;"
    printf '    %s\n' "${IN_RULES[@]}"
    echo "  }"
    echo "  chain output { type filter hook output priority -10; policy accept;"
    printf '    %s\n' "${OUT_RULES[@]}"
    echo "  }"
    echo "}"
  } | ip netns exec "$ns" nft -f -
}
# Every packet in and out of HOST except loopback: a black hole, nothing refused.
chaos_isolate() {
  IN_RULES=('iifname != "lo" drop'); OUT_RULES=('oifname != "lo" drop'); chaos_rules "$1"
}
# HOST loses every etcd peer and client port of the other hosts (and they lose it); PostgreSQL
# replication and the REST API stay up.
chaos_cut_etcd() {
  local others="" h
  for h in "${HOSTS[@]}"; do [ "$h" = "$1" ] || others+="${others:+, }$(host_addr "$h")"; done
  IN_RULES=("ip saddr { $others } tcp sport { 2379, 2380 } drop"
            "ip saddr { $others } tcp dport { 2379, 2380 } drop")
  OUT_RULES=("ip daddr { $others } tcp dport { 2379, 2380 } drop"
             "ip daddr { $others } tcp sport { 2379, 2380 } drop")
  chaos_rules "$1"
}
# On HOST: every PostgreSQL and REST packet to or from PEER is answered with a TCP reset. The
# resets themselves must pass (the first rule of each chain): a reset the output chain makes for
# a local socket comes back through the input chain, and one the input chain makes for PEER leaves
# through the output chain; without it the "reject" would silently be a black hole.
chaos_reject_pg_rest() {  # HOST PEER [tcp|icmp]
  local p how="tcp reset"; p=$(host_addr "$2")
  # icmp: "port unreachable", what a firewall's REJECT sends by default
  [ "${3:-tcp}" = icmp ] && how="icmpx type port-unreachable"
  IN_RULES=("tcp flags & rst == rst accept"
            "ip saddr $p tcp sport { 5432, 8008 } reject with $how"
            "ip saddr $p tcp dport { 5432, 8008 } reject with $how")
  OUT_RULES=("tcp flags & rst == rst accept"
             "ip daddr $p tcp dport { 5432, 8008 } reject with $how"
             "ip daddr $p tcp sport { 5432, 8008 } reject with $how")
  chaos_rules "$1"
}
# On HOST (a replica): every PostgreSQL packet to or from PEER (its leader) dropped, both ways;
# etcd and the REST API stay reachable. Replication stops; nothing else does.
chaos_cut_pg() {  # HOST PEER
  local p; p=$(host_addr "$2")
  IN_RULES=("ip saddr $p tcp sport 5432 drop" "ip saddr $p tcp dport 5432 drop")
  OUT_RULES=("ip daddr $p tcp dport 5432 drop" "ip daddr $p tcp sport 5432 drop")
  chaos_rules "$1"
}
# On HOST: every packet it sends to PEER dropped; what PEER sends still arrives (asymmetric).
chaos_oneway() {  # HOST PEER
  IN_RULES=(); OUT_RULES=("ip daddr $(host_addr "$2") drop"); chaos_rules "$1"
}
# --- slow links: there is no netem here, so packets are held in userspace -----------------------
# On HOST: every packet on its link (to or from the other hosts and the client) goes through netfilter
# queue 7 (iptables' NFQUEUE: this kernel's nftables has no queue statement), where
# pgha-fault-slowlink holds each for MS before letting it through; `--queue-bypass` lets packets
# pass untouched whenever no program listens, so a dead helper never cuts the link.
SLOWLINK=${PGHA_FAULT_SLOWLINK:-$ROOT/build/tests/pgha-fault-slowlink}
declare -A SLOW_PID
slow_link() {  # HOST MS SECONDS (the helper stops by itself after SECONDS)
  local ns; ns=$(host_ns "$1")
  ip netns exec "$ns" "$SLOWLINK" 7 "$2" "$3" >>"$DIR/$1/slowlink.log" 2>&1 &
  SLOW_PID[$1]=$!; disown
  # on the wire only: the host's own traffic to itself (its agent to its etcd member) stays local
  ip netns exec "$ns" iptables -w -A OUTPUT -o eth0 -j NFQUEUE --queue-num 7 --queue-bypass
  ip netns exec "$ns" iptables -w -A INPUT -i eth0 -j NFQUEUE --queue-num 7 --queue-bypass
}
slow_clear() {  # HOST: rules out first, then the helper (it lets what it holds through)
  ip netns exec "$(host_ns "$1")" iptables -w -F 2>/dev/null || true
  [ -n "${SLOW_PID[$1]:-}" ] && { kill "${SLOW_PID[$1]}" 2>/dev/null; SLOW_PID[$1]=""; }
  return 0
}
