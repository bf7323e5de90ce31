# The nemeses of the fault suite and the helpers they share. Sourced by run.sh once the cluster,
# the recorders and the writers run; each nemesis injects one fault, holds it for a bounded time,
# heals it and waits (bounded) until the cluster has converged again.
# --- nemeses -------------------------------------------------------------------------------------
# Each: FAULT NAME LEADER TARGET EXPECT_FAILOVER ASYNC_LOSS_OK, inject, hold (bounded), heal,
# wait (bounded) until the cluster has converged again.
fault_begin() {  # NAME TARGET EXPECT_FAILOVER ASYNC_LOSS_OK
  FAULT=$1; FAULT_LEADER=$(leader)
  event "{\"ev\":\"fault\",\"name\":\"$1\",\"t\":$(now),\"leader\":\"$FAULT_LEADER\",\"target\":\"$2\",\"expect_failover\":$3,\"async_loss_ok\":$4}"
  log "fault $1 on $2 (leader $FAULT_LEADER)"
}
fault_heal() {
  event "{\"ev\":\"heal\",\"name\":\"$FAULT\",\"t\":$(now)}"
  local ok=true
  wait_for "$CONVERGE_WAIT" converged || ok=false
  event "{\"ev\":\"converged\",\"name\":\"$FAULT\",\"t\":$(now),\"ok\":$ok}"
  log "healed $FAULT; converged=$ok, leader $(leader)"
  sleep 3  # steady writes between faults
}
# Proof that a partition bit: the probe (a command that must FAIL while the fault is on) is run
# once the rules are in; the result goes into the history and check.py fails a fault that did not.
fault_effective() {  # COMMAND...
  local ok=true
  "$@" >/dev/null 2>&1 && ok=false
  event "{\"ev\":\"effective\",\"name\":\"$FAULT\",\"t\":$(now),\"ok\":$ok}"
}
curl_from() { local ns=$1; shift; ip netns exec "$ns" curl -s -o /dev/null -m 1 "$@"; }
new_leader_other_than() { local l; l=$(leader); [ -n "$l" ] && [ "$l" != "$1" ]; }
replica_of() { local h; for h in "${HOSTS[@]}"; do [ "$h" != "$1" ] && { echo "$h"; return; }; done; }

nemesis_kill9() {  # T01: kill -9 of the primary's agent and PostgreSQL at once, on a live host
  # (etcd, the recorder and pgha's fencing guard, a process of its own, live on; a host that
  # loses every process is host-death)
  local L; L=$(leader)
  fault_begin kill9-primary "$L" true "$LOSS_OK"
  local pid
  for pid in $(ip netns pids "$(host_ns "$L")"); do
    [ "$pid" = "${ETCD_PID[$L]}" ] || [ "$pid" = "${REC_PID[$L]}" ] && continue
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = pgha-fence-guar ] && continue
    kill -9 "$pid" 2>/dev/null
  done
  wait_for $((6 * TTL)) new_leader_other_than "$L"
  start_agent "$L"
  fault_heal
}
nemesis_isolate() {  # T05a: every packet of the leader's host dropped, both ways
  local L; L=$(leader)
  etcd_leader_away "$L"
  fault_begin drop-isolate "$L" true "$LOSS_OK"
  chaos_isolate "$L"
  fault_effective curl_from "$CLIENT" "http://$(host_addr "$L"):8008/"
  pause "$HOLD"
  chaos_clear "$L"
  fault_heal
}
nemesis_reject() {  # PostgreSQL and REST between one replica and a healthy leader: tcp reset
  local L R; L=$(leader); R=$(replica_of "$L")
  fault_begin reject-pg-rest "$R<->$L" false false
  chaos_reject_pg_rest "$R" "$L"
  # refused at once (a reset, not a timeout), while the client still reaches the leader
  fault_effective bash -c "curl_rc() { ip netns exec $(host_ns "$R") curl -s -o /dev/null -m 2 \
    http://$(host_addr "$L"):8008/; echo \$?; }; [ \$(curl_rc) != 7 ] || \
    ! ip netns exec $CLIENT curl -s -o /dev/null -m 1 http://$(host_addr "$L"):8008/"
  pause "$HOLD"
  chaos_clear "$R"
  fault_heal
}
nemesis_sigstop() {  # T09: the leader's agent frozen for 2 x ttl (its fencing guard keeps running)
  local L; L=$(leader)
  fault_begin sigstop-agent "$L" true "$LOSS_OK"
  kill -STOP "${AGENT_PID[$L]}"
  pause $((2 * TTL))
  kill -CONT "${AGENT_PID[$L]}"
  fault_heal
}
nemesis_etcd_cut() {  # T05b: the leader's host loses etcd (peers and clients), nothing else
  local L; L=$(leader)
  etcd_leader_away "$L"
  fault_begin etcd-cut-leader "$L" true "$LOSS_OK"
  chaos_cut_etcd "$L"
  fault_effective curl_from "$(host_ns "$L")" "http://$(host_addr "$(replica_of "$L")"):2379/health"
  pause "$HOLD"
  chaos_clear "$L"
  fault_heal
}

# etcd's raft leader: where a host death falls matters (etcd's new leader extends every lease
# by the election it took), so host-death places it first, on purpose, and says where.
etcdctl_ns() {  # HOST etcdctl-args...: etcdctl run inside HOST's namespace
  local h=$1; shift
  in_ns "$(host_ns "$h")" env ETCDCTL_API=3 etcdctl --dial-timeout=1s --command-timeout=3s "$@"
}
# Member ids are 64-bit: read them as text (jq's doubles would round them).
etcd_status_field() {  # HOST FIELD -> FIELD (member_id or leader) of HOST's endpoint status, hex
  local v
  v=$(etcdctl_ns "$1" --endpoints "http://$(host_addr "$1"):2379" endpoint status -w json |
    grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2)
  [ -n "$v" ] && printf '%x' "$v"
}
etcd_member_id() { etcd_status_field "$1" member_id; }
etcd_leader_host() {
  local h x lid
  for h in "${HOSTS[@]}"; do
    lid=$(etcd_status_field "$h" leader) || continue
    for x in "${HOSTS[@]}"; do
      [ "$(etcd_member_id "$x")" = "$lid" ] && { echo "$x"; return 0; }
    done
  done
  return 1
}
move_etcd_leader() {  # TARGET: make TARGET's etcd member the raft leader
  local cur; cur=$(etcd_leader_host) || return 1
  [ "$cur" = "$1" ] && return 0
  etcdctl_ns "$cur" --endpoints "http://$(host_addr "$cur"):2379" move-leader \
    "$(etcd_member_id "$1")" >/dev/null && [ "$(etcd_leader_host)" = "$1" ] || return 1
  # A new etcd leader extends every lease to a full ttl plus its election timeout; the fault
  # must meet leases renewed since (each agent renews every loop_wait, 1 s), or the move itself
  # would lengthen what is measured.
  pause 3
}
# Faults that cut or freeze the leader's host would also cost etcd an election when its raft
# leader happens to live there, and the new etcd leader extends every lease: the failover then
# takes up to the election's length longer, by chance (etcd-cut-leader at ttl 20: 22.8 s with the
# election, 19.9 s without). These put etcd's leader on another host first, as host-death does.
etcd_leader_away() {  # LEADER
  local T; T=$(replica_of "$1")
  wait_for 10 move_etcd_leader "$T" || log "could not move etcd's leader to $T"
}
nemesis_host_death() { host_death away; }
nemesis_host_death_etcd() { host_death on; }
host_death() {  # T03: the leader's host dies: every packet dropped and every process frozen at
  # once (nothing refused, nothing shut down); once another leader is seen (at most 6 x ttl) the
  # host is powered off for good and booted again (etcd and the agent restarted). $1: "on" puts
  # etcd's raft leader on the dying host first, "away" on another host.
  local L T name=host-death; L=$(leader)
  if [ "$1" = on ]; then T=$L; name=host-death-etcd-leader; else T=$(replica_of "$L"); fi
  wait_for 10 move_etcd_leader "$T" || log "could not move etcd's leader to $T"
  log "etcd leader on $(etcd_leader_host)"
  fault_begin "$name" "$L" true "$LOSS_OK"
  chaos_isolate "$L"
  host_freeze "$L" "${REC_PID[$L]}" || log "host $L did not freeze"
  fault_effective curl_from "$CLIENT" "http://$(host_addr "$L"):8008/"
  wait_for $((6 * TTL)) new_leader_other_than "$L"
  host_power_off "$L"
  chaos_clear "$L"
  start_etcd "$L"
  start_agent "$L"
  fault_heal
}

nemesis_rogue_promote() {  # control: pg_ctl promote on a replica while the leader is healthy
  local L R; L=$(leader); R=$(replica_of "$L")
  fault_begin rogue-promote "$R" false false
  ip netns exec "$(host_ns "$R")" setpriv --reuid=postgres --regid=postgres --init-groups -- \
    /usr/lib/postgresql/15/bin/pg_ctl promote -D "$DIR/$R/disk/data" >>"$DIR/$R/control.log" 2>&1
  pause "$TTL"
  fault_heal
}


# --- the rest of the catalogue (T-numbers: tests/fault/README.md); --full runs every one ---------
# EXPECT_FAILOVER null: either outcome is correct (the checkers judge loss, dual primaries and
# convergence only).
other_replica() {  # LEADER REPLICA -> the third host
  local h; for h in "${HOSTS[@]}"; do [ "$h" != "$1" ] && [ "$h" != "$2" ] && { echo "$h"; return; }; done
}
nemesis_kill9_etcd_leader() {  # T08: etcd's raft leader killed -9, restarted with its data
  local E; E=$(etcd_leader_host) || E=h1
  fault_begin kill9-etcd-leader "$E" false false
  kill -9 "${ETCD_PID[$E]}"
  pause $((2 * TTL))
  start_etcd "$E"
  fault_heal
}
nemesis_sigstop_etcd() {  # T06: the leader host's etcd member hangs (SIGSTOP): requests to it
  # time out instead of being refused; the agents must use the other members
  local L; L=$(leader)
  fault_begin sigstop-etcd "$L" false false
  kill -STOP "${ETCD_PID[$L]}"
  pause $((2 * TTL))
  kill -CONT "${ETCD_PID[$L]}"
  fault_heal
}
# The lease the leader key is on (decimal), from HOST's etcd member; empty when there is no key.
leader_lease() {
  # (not through jq: a lease id is a 64-bit integer, and jq rounds it to a double)
  etcdctl_ns "$1" --endpoints "$ETCD_ENDPOINTS" get /service/fault/leader -w json |
    grep -o '"lease":[0-9]*' | head -1 | cut -d: -f2
}
nemesis_sigstop_etcd_leader() { etcd_leader_paused sigstop; }
nemesis_freeze_etcd_leader() { etcd_leader_paused freeze; }
etcd_leader_paused() {  # T06 / T09 on etcd's raft leader, placed on a replica's host: its etcd
  # (sigstop) or the whole host (freeze) hangs for 2 x ttl and resumes. etcd 3.4 before 3.4.28
  # may then revoke every lease it held (a stale lessor: etcd issues 12528, 15247;
  # docs/safety.md section 9), the leader key and every member key with them, while the primary
  # is healthy. Nobody may be promoted past that primary.
  local L R lease; L=$(leader); R=$(replica_of "$L")
  wait_for 10 move_etcd_leader "$R" || log "could not move etcd's leader to $R"
  log "etcd leader on $(etcd_leader_host)"
  lease=$(leader_lease "$L")
  fault_begin "$1-etcd-leader" "$R" null false
  if [ "$1" = freeze ]; then
    host_freeze "$R" "${REC_PID[$R]}" || log "host $R did not freeze"
  else
    kill -STOP "${ETCD_PID[$R]}"
  fi
  pause $((2 * TTL))
  if [ "$1" = freeze ]; then host_thaw "$R"; else kill -CONT "${ETCD_PID[$R]}"; fi
  # Whether the bug struck: the primary's lease is gone although the primary never stopped
  # renewing it (recorded for the report; the checkers judge the history either way).
  sleep 2
  local revoked=false ttl_out=""
  [ -n "$lease" ] && ttl_out=$(etcdctl_ns "$L" --endpoints "$ETCD_ENDPOINTS" lease timetolive \
    "$(printf '%x' "$lease")" 2>&1)
  [[ $ttl_out == *"already expired"* ]] && revoked=true
  log "the primary's lease $lease revoked by etcd: $revoked"
  event "{\"ev\":\"observed\",\"name\":\"$FAULT\",\"t\":$(now),\"what\":\"leases revoked by a stale etcd leader\",\"value\":$revoked}"
  fault_heal
}
nemesis_freeze_replica() {  # T09 (whole-node freeze): a replica's whole host paused (cgroup freezer), then resumed
  local L R; L=$(leader); R=$(replica_of "$L")
  fault_begin freeze-replica "$R" false false
  host_freeze "$R" "${REC_PID[$R]}" || log "host $R did not freeze"
  pause $((2 * TTL))
  host_thaw "$R"
  fault_heal
}
nemesis_freeze_leader() {  # T09 (whole-node freeze): the leader's whole host paused for 3 x ttl, then resumed (a VM
  # pause): on resume its PostgreSQL must not take a write; nothing but a watchdog or the fencing
  # guard's expired timer stands between the thawed primary and a client
  local L; L=$(leader)
  etcd_leader_away "$L"
  fault_begin freeze-leader "$L" true "$LOSS_OK"
  host_freeze "$L" "${REC_PID[$L]}" || log "host $L did not freeze"
  pause $((3 * TTL))
  host_thaw "$L"
  fault_heal
}
nemesis_isolate_replica() {  # T19: every packet of a replica's host dropped, both ways
  local L R; L=$(leader); R=$(replica_of "$L")
  fault_begin drop-isolate-replica "$R" false false
  chaos_isolate "$R"
  fault_effective curl_from "$CLIENT" "http://$(host_addr "$R"):8008/"
  pause "$HOLD"
  chaos_clear "$R"
  fault_heal
}
nemesis_reject_icmp() {  # T19: as reject-pg-rest, answered with ICMP port-unreachable
  local L R; L=$(leader); R=$(replica_of "$L")
  fault_begin reject-icmp "$R<->$L" false false
  chaos_reject_pg_rest "$R" "$L" icmp
  fault_effective ip netns exec "$(host_ns "$R")" curl -s -o /dev/null -m 2 \
    "http://$(host_addr "$L"):8008/"
  pause "$HOLD"
  chaos_clear "$R"
  fault_heal
}
nemesis_cut_replica_pg() {  # T19: a replica loses PostgreSQL to the leader only (streaming stops)
  local L R; L=$(leader); R=$(replica_of "$L")
  fault_begin cut-replica-pg "$R-/-$L" false false
  chaos_cut_pg "$R" "$L"
  fault_effective ip netns exec "$(host_ns "$R")" timeout 2 bash -c \
    "exec 3<>/dev/tcp/$(host_addr "$L")/5432" 2>/dev/null
  pause "$HOLD"
  chaos_clear "$R"
  fault_heal
}
nemesis_oneway() {  # T18: asymmetric: the leader's packets to one replica are dropped, the
  # replica's to the leader arrive
  local L R; L=$(leader); R=$(replica_of "$L")
  fault_begin oneway-leader-to-replica "$L->$R" false false
  chaos_oneway "$L" "$R"
  fault_effective curl_from "$(host_ns "$R")" "http://$(host_addr "$L"):8008/"
  pause "$HOLD"
  chaos_clear "$L"
  fault_heal
}
switchover_to() {  # LEADER CANDIDATE: POST /switchover from the client host
  in_ns "$CLIENT" curl -s -o /dev/null -w '%{http_code}' -m 60 -X POST \
    -d "{\"leader\":\"$1\",\"candidate\":\"$2\"}" "http://$(host_addr "$1"):8008/switchover"
}
nemesis_switchovers() {  # T16: three switchovers in a row under load; nothing may be lost
  local L C i code
  fault_begin switchovers "all" true false
  for i in 1 2 3; do
    wait_for 60 converged || log "switchover $i: not converged before"
    L=$(leader); C=$(replica_of "$L")
    [ "$i" = 2 ] && C=$(other_replica "$L" "$C")
    # In synchronous mode only the synchronous standby may take over (pgha and Patroni answer
    # 412 for another candidate): ask for that one.
    if [ "$SYNC" = sync ]; then
      C=$(cluster_json | jq -r '[.members[] | select(.role == "sync_standby") | .name][0] // empty')
      [ -n "$C" ] || C=$(replica_of "$L")
    fi
    code=$(switchover_to "$L" "$C")
    log "switchover $i: $L -> $C: HTTP $code"
    wait_for 30 new_leader_other_than "$L" || log "switchover $i: $L still leads"
  done
  fault_heal
}
nemesis_cold_restart() {  # T21: every host loses power at once (etcd too), then all boot again
  local h pid
  fault_begin cold-restart "all" null "$LOSS_OK"
  for h in "${HOSTS[@]}"; do
    for pid in $(ip netns pids "$(host_ns "$h")"); do
      [ "$pid" = "${REC_PID[$h]}" ] || kill -9 "$pid" 2>/dev/null
    done
  done
  pause 2
  for h in "${HOSTS[@]}"; do start_etcd "$h"; done
  wait_for 30 etcd_healthy || log "etcd did not come back"
  for h in "${HOSTS[@]}"; do start_agent "$h"; done
  fault_heal
}
nemesis_etcd_majority() {  # T07: two of three etcd members stopped (SIGSTOP) for 3 x ttl: no
  # quorum, so no promotion anywhere; the primary stops taking writes before its lease runs out
  local L h stopped=(); L=$(leader)
  fault_begin etcd-majority-lost "$L" null false
  for h in "${HOSTS[@]}"; do [ "$h" != "$L" ] && stopped+=("$h"); done
  for h in "${stopped[@]}"; do kill -STOP "${ETCD_PID[$h]}"; done
  pause $((3 * TTL))
  for h in "${stopped[@]}"; do kill -CONT "${ETCD_PID[$h]}"; done
  fault_heal
}
nemesis_pg_crash() {  # T02: kill -9 of the primary's postmaster only; the agent lives
  local L pm; L=$(leader)
  fault_begin pg-crash "$L" null "$LOSS_OK"
  pm=$(head -1 "$DIR/$L/disk/data/postmaster.pid" 2>/dev/null)
  [ -n "$pm" ] && kill -9 "$pm"
  fault_heal
}
nemesis_kill9_agent() {  # T03: kill -9 of the primary's agent only, for 2 x ttl: PostgreSQL
  # lives on; it must be fenced before another node is promoted (pgha: the fencing guard;
  # Patroni: only a watchdog, which these hosts do not have)
  local L; L=$(leader)
  fault_begin kill9-agent "$L" true "$LOSS_OK"
  kill -9 "${AGENT_PID[$L]}"
  pause $((2 * TTL))
  start_agent "$L"
  fault_heal
}

# --- disks, links, etcd's data, clocks ------------------------------------------------------------
fault_skipped() {  # NAME REASON: a nemesis this machine cannot inject, reported as skipped
  event "{\"ev\":\"skipped\",\"name\":\"$1\",\"t\":$(now),\"reason\":\"$2\"}"
  log "fault $1 SKIPPED: $2"
}
disk_fill() {  # HOST: its data disk (a tmpfs, run.sh) filled to the last block by one file
  local d="$DIR/$1/disk"
  fallocate -l "$(($(stat -f -c '%a * %S' "$d")))" "$d/fill" 2>/dev/null ||
    dd if=/dev/zero of="$d/fill" bs=1M status=none 2>/dev/null
  return 0
}
disk_has_room() { [ "$(stat -f -c %a "$DIR/$1/disk")" -gt 0 ]; }
disk_full() {  # NAME HOST EXPECT_FAILOVER: HOST's data disk full for 3 x ttl, then room again
  fault_begin "$1" "$2" "$3" "$LOSS_OK"
  disk_fill "$2"
  fault_effective disk_has_room "$2"
  pause $((3 * TTL))
  rm -f "$DIR/$2/disk/fill"
  fault_heal
}
# T13: PostgreSQL cannot write WAL on the primary (it PANICs and cannot start until there is
# room): failing over or waiting are both correct; nothing acknowledged may be lost
nemesis_disk_full_primary() { disk_full disk-full-primary "$(leader)" null; }
# T14: a replica's disk fills: its WAL receiver stops; in synchronous mode the leader must not
# wait on it for good (another standby, or none in /sync)
nemesis_disk_full_replica() { local L; L=$(leader); disk_full disk-full-replica "$(replica_of "$L")" false; }
nemesis_flap() {  # T17: the leader host's links flap: every packet dropped for 2 s, then 2 s of
  # service, six times; each outage is shorter than ttl, so a failover is allowed, not required
  local L i; L=$(leader)
  fault_begin flap-leader "$L" null "$LOSS_OK"
  for i in 1 2 3 4 5 6; do
    chaos_isolate "$L"
    [ "$i" = 1 ] && fault_effective curl_from "$CLIENT" "http://$(host_addr "$L"):8008/"
    pause 2
    chaos_clear "$L"
    pause 2
  done
  fault_heal
}
nemesis_slow_leader() {  # T17 (slow link): every packet between the leader's host and the
  # others held for SLOW_MS each way (a WAN-like round trip of 2 x SLOW_MS) for 3 x ttl. The
  # leader still renews, replicates and answers, only slowly: nothing may fail over or be lost.
  local L; L=$(leader)
  [ -x "$SLOWLINK" ] || { fault_skipped slow-leader "$SLOWLINK missing (ninja -C build pgha-fault-slowlink)"; return; }
  fault_begin slow-leader "$L" false false
  slow_link "$L" "$SLOW_MS" $((3 * TTL + 30))
  # the REST API still answers, but no longer within one round trip's worth of the fault
  fault_effective curl_from "$CLIENT" -m "$(printf '%d.%03d' $((SLOW_MS / 1000)) $((SLOW_MS % 1000)))" "http://$(host_addr "$L"):8008/"
  pause $((3 * TTL))
  slow_clear "$L"
  fault_heal
}
nemesis_etcd_data_loss() {  # T22: one etcd member (not the raft leader) loses its data
  # directory: killed and wiped, 2 x ttl later removed from the cluster, added back as a new
  # member and started empty; it catches up from the others, and no failover follows
  local E O id
  O=$(etcd_leader_host) || O=h1
  E=$(replica_of "$O")
  id=$(etcd_member_id "$E")
  fault_begin etcd-data-loss "$E" false false
  kill -9 "${ETCD_PID[$E]}"
  rm -rf "$DIR/$E/etcd"
  fault_effective curl_from "$(host_ns "$E")" "http://$(host_addr "$E"):2379/health"
  pause $((2 * TTL))  # a member short, as a replaced disk takes its time
  etcdctl_ns "$O" --endpoints "http://$(host_addr "$O"):2379" member remove "$id" >/dev/null ||
    log "etcd-data-loss: member remove $id failed"
  etcdctl_ns "$O" --endpoints "http://$(host_addr "$O"):2379" member add "$E" \
    --peer-urls "http://$(host_addr "$E"):2380" >/dev/null || log "etcd-data-loss: member add failed"
  start_etcd "$E" existing
  wait_for 30 etcd_healthy || log "etcd-data-loss: $E did not rejoin"
  fault_heal
}
pg_clock_off() {  # HOST: PostgreSQL on HOST reports a wall clock more than a minute off
  [ "$(in_ns "$(host_ns "$1")" psql -X -A -t -q -h "$DIR/$1" -U postgres -d postgres \
    -c "SELECT abs(extract(epoch FROM clock_timestamp()) - $(date +%s)) > 60" 2>/dev/null)" = t ]
}
pg_clock_not_off() { ! pg_clock_off "$1"; }
nemesis_clock_jump() {  # T15 (b): wall clocks jump on two hosts (the leader's 10 minutes ahead, a
  # replica's 10 minutes back) for 3 x ttl, then back: agents and PostgreSQL see it (libfaketime),
  # etcd does not. Leases and deadlines run on monotonic clocks, so nothing may fail over.
  local L R; L=$(leader); R=$(replica_of "$L")
  if [ "$SYSTEM" != pgha ]; then
    fault_skipped clock-jump "Python's time.sleep fails with EINVAL under libfaketime"
    return
  fi
  if [ -z "$FAKETIME_LIB" ]; then
    fault_skipped clock-jump "libfaketime not installed (Debian package faketime)"
    return
  fi
  fault_begin clock-jump "$L+$R" false false
  echo "+600" >"$DIR/$L/faketime"
  echo "-600" >"$DIR/$R/faketime"
  # libfaketime re-reads its file once a second (FAKETIME_CACHE_DURATION) in each process
  wait_for 10 pg_clock_off "$L"
  fault_effective pg_clock_not_off "$L"
  pause $((3 * TTL))
  echo "+0" >"$DIR/$L/faketime"
  echo "+0" >"$DIR/$R/faketime"
  fault_heal
}
