# Host faults for the fault suite: freeze every process of a host (the cgroup v1 freezer, or
# cgroup v2's cgroup.freeze where that is what the machine mounts), and power it off for good.
# Sourced by run.sh after net.sh; host_thaw_all is safe to call at any point of cleanup.
FREEZER_ROOT=${FREEZER_ROOT:-}
if [ -z "$FREEZER_ROOT" ]; then
  if [ -w /sys/fs/cgroup/freezer/tasks ]; then
    FREEZER_ROOT=/sys/fs/cgroup/freezer
  elif [ -e /sys/fs/cgroup/cgroup.controllers ]; then
    FREEZER_ROOT=/sys/fs/cgroup
  fi
fi
freezer_dir() { echo "$FREEZER_ROOT/${NS_PREFIX}-fault-$1"; }
freezer_v2() { [ -e "$FREEZER_ROOT/cgroup.controllers" ]; }

# host_freeze HOST PID...: every process in HOST's namespace except the PIDs given (the
# recorder: an observer, not part of the host) moved into the host's freezer group, then frozen.
# Moving repeats until no process is left outside (a fork during the move lands in the group
# when its parent was already moved, or is caught by the next pass).
host_freeze() {
  local h=$1; shift
  local g; g=$(freezer_dir "$h")
  [ -n "$FREEZER_ROOT" ] || { echo "no cgroup freezer on this machine" >&2; return 1; }
  mkdir -p "$g"
  local pass pid moved keep
  for pass in 1 2 3 4 5; do
    moved=0
    for pid in $(ip netns pids "$(host_ns "$h")"); do
      keep=0
      for k in "$@"; do [ "$pid" = "$k" ] && keep=1; done
      [ "$keep" = 1 ] && continue
      grep -qx "$pid" "$g/cgroup.procs" 2>/dev/null && continue
      echo "$pid" >"$g/cgroup.procs" 2>/dev/null && moved=1
    done
    [ "$moved" = 0 ] && break
  done
  if freezer_v2; then echo 1 >"$g/cgroup.freeze"; else echo FROZEN >"$g/freezer.state"; fi
  local i
  for i in $(seq 1 100); do  # at most 5 s for every task to stop
    if freezer_v2; then grep -q '^frozen 1' "$g/cgroup.events" && return 0
    else [ "$(cat "$g/freezer.state")" = FROZEN ] && return 0; fi
    sleep 0.05
  done
  echo "freezer group $g did not freeze" >&2
  return 1
}

# host_power_off HOST: SIGKILL to every frozen process, then thaw so the kills take effect
# (a frozen task dies only once it runs again) and wait until the group is empty. What a power
# cut leaves: the data on disk, no process.
host_power_off() {
  local g; g=$(freezer_dir "$1")
  [ -d "$g" ] || return 0
  local pid
  for pid in $(cat "$g/cgroup.procs" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
  if freezer_v2; then echo 0 >"$g/cgroup.freeze"; else echo THAWED >"$g/freezer.state"; fi
  local i
  for i in $(seq 1 100); do
    [ -z "$(cat "$g/cgroup.procs" 2>/dev/null)" ] && break
    sleep 0.05
  done
  rmdir "$g" 2>/dev/null || true
}

host_thaw_all() {
  local h
  for h in "${HOSTS[@]}"; do host_power_off "$h"; done
}

# host_thaw HOST: resume every frozen process of HOST (a paused VM resumed), keep the group gone.
host_thaw() {
  local g; g=$(freezer_dir "$1")
  [ -d "$g" ] || return 0
  if freezer_v2; then echo 0 >"$g/cgroup.freeze"; else echo THAWED >"$g/freezer.state"; fi
  local pid parent="$FREEZER_ROOT"
  for pid in $(cat "$g/cgroup.procs" 2>/dev/null); do echo "$pid" >"$parent/cgroup.procs" 2>/dev/null; done
  rmdir "$g" 2>/dev/null || true
}
