# The storm (run.sh --storm SEED N): N short faults in a row, drawn from SEED, without waiting for
# the cluster to converge in between: a new fault 0.5-2.5 s after the last, each held 1-5 s and
# healed by the harness, at most two at once and never two on one host. It is the catalogue's T25 squeezed in
# time so that hundreds of faults fit in one run; the checkers judge the whole history (no
# acknowledged write lost in synchronous mode, none outside the asynchronous window otherwise, no
# dual primary, no late write), and after the last heal the cluster must converge within 90 s.
# Sourced by run.sh after nemeses.sh.

# What can be drawn: each is "inject HOST [PEER]" / "heal HOST [PEER]".
STORM_KINDS=(drop link reject etcdcut stop_agent stop_etcd kill_pg kill_agent freeze slow)
# The schedule, decided before anything starts (a failing run replays from its seed): per fault
# its kind, whether it aims at the leader (else at any host), its hold and the gap to the next,
# in milliseconds.
storm_schedule() {  # SEED N -> STORM_PLAN (array of "kind aim hold_ms gap_ms")
  RANDOM=$1
  STORM_PLAN=()
  local i
  for i in $(seq 1 "$2"); do
    STORM_PLAN+=("${STORM_KINDS[RANDOM % ${#STORM_KINDS[@]}]} $((RANDOM % 2)) \
$((1000 + RANDOM % 4001)) $((500 + RANDOM % 2001))")
  done
}

storm_inject() {  # KIND HOST PEER
  case "$1" in
    drop) chaos_isolate "$2" ;;
    link) IN_RULES=("ip saddr $(host_addr "$3") drop"); OUT_RULES=("ip daddr $(host_addr "$3") drop")
      chaos_rules "$2" ;;
    reject) chaos_reject_pg_rest "$2" "$3" ;;
    etcdcut) chaos_cut_etcd "$2" ;;
    stop_agent) kill -STOP "${AGENT_PID[$2]}" ;;
    stop_etcd) kill -STOP "${ETCD_PID[$2]}" ;;
    kill_pg) local pm; pm=$(head -1 "$DIR/$2/disk/data/postmaster.pid" 2>/dev/null)
      [ -n "$pm" ] && kill -9 "$pm" ;;
    kill_agent) kill -9 "${AGENT_PID[$2]}" ;;
    freeze) host_freeze "$2" "${REC_PID[$2]}" || log "storm: $2 did not freeze" ;;
    slow) slow_link "$2" "$SLOW_MS" 60 ;;
  esac
}
storm_heal() {  # KIND HOST PEER
  case "$1" in
    drop|link|reject|etcdcut) chaos_clear "$2" ;;
    stop_agent) kill -CONT "${AGENT_PID[$2]}" ;;
    stop_etcd) kill -CONT "${ETCD_PID[$2]}" ;;
    kill_pg) ;;  # the agent starts it again
    kill_agent) start_agent "$2" ;;
    freeze) host_thaw "$2" ;;
    slow) slow_clear "$2" ;;
  esac
}
ms_now() { date +%s%3N; }

run_storm() {
  local -a slot_kind=() slot_host=() slot_peer=() slot_end=() slot_name=()
  local next=0 i=0 s t o kind aim hold gap h p L busy
  local total=${#STORM_PLAN[@]}
  log "storm: $total faults from seed $SEED"
  while [ "$i" -lt "$total" ] || [ -n "${slot_kind[0]:-}${slot_kind[1]:-}" ]; do
    t=$(ms_now)
    for s in 0 1; do  # heal what is due
      [ -n "${slot_kind[$s]:-}" ] && [ "$t" -ge "${slot_end[$s]}" ] || continue
      storm_heal "${slot_kind[$s]}" "${slot_host[$s]}" "${slot_peer[$s]}"
      event "{\"ev\":\"heal\",\"name\":\"${slot_name[$s]}\",\"t\":$(now)}"
      slot_kind[$s]=""
    done
    if [ "$i" -lt "$total" ] && [ "$t" -ge "$next" ]; then
      s=""
      [ -z "${slot_kind[0]:-}" ] && s=0
      [ -z "$s" ] && [ -z "${slot_kind[1]:-}" ] && s=1
      read -r kind aim hold gap <<<"${STORM_PLAN[$i]}"
      h=""; p=""
      if [ -n "$s" ]; then  # a host no other fault holds (and a free peer for a link fault)
        busy=" "
        for o in 0 1; do
          [ -n "${slot_kind[$o]:-}" ] && busy+="${slot_host[$o]} ${slot_peer[$o]} "
        done
        L=$(leader)
        [ "$aim" = 1 ] && [ -n "$L" ] && [[ "$busy" != *" $L "* ]] && h=$L
        if [ -z "$h" ]; then  # else the first free host from an offset the schedule gives
          for o in 0 1 2; do
            o=${HOSTS[(i + o) % ${#HOSTS[@]}]}
            [[ "$busy" != *" $o "* ]] && { h=$o; break; }
          done
        fi
        case "$kind" in link|reject)
          for o in "${HOSTS[@]}"; do
            [ -n "$h" ] && [ "$o" != "$h" ] && [[ "$busy" != *" $o "* ]] && { p=$o; break; }
          done
          [ -n "$p" ] || h="" ;;
        esac
      fi
      if [ -n "$h" ]; then  # else wait for a heal: the schedule is injected whole, in order
        slot_kind[$s]=$kind; slot_host[$s]=$h; slot_peer[$s]=$p
        slot_name[$s]="storm-${kind//_/-}"
        slot_end[$s]=$(( $(ms_now) + hold ))
        event "{\"ev\":\"fault\",\"name\":\"${slot_name[$s]}\",\"t\":$(now),\"leader\":\"$L\",\"target\":\"$h${p:+<->$p}\",\"expect_failover\":null,\"async_loss_ok\":$LOSS_OK,\"storm\":true}"
        storm_inject "$kind" "$h" "$p"
        log "storm $((i + 1))/$total: $kind on $h${p:+<->$p} for $hold ms (leader ${L:-?})"
        i=$((i + 1))
        next=$(( $(ms_now) + gap ))
      fi
    fi
    sleep 0.1
  done
  # Everything healed: one last window in which the cluster must come together again.
  fault_begin storm-end "$(leader)" null "$LOSS_OK"
  fault_heal
}
