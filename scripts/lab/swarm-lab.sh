#!/usr/bin/env bash
# A real three-node Docker Swarm on this one machine, for tests, benchmarks and trying Tether
# on a swarm:
#
#   eval "$(bash scripts/lab/swarm-lab.sh up)"     # prints only `export NAME=value` lines
#   bash scripts/lab/swarm-lab.sh down             # removes all of it; fine when nothing is up
#   bash scripts/lab/swarm-lab.sh stop-node N      # stops node N's engine (a failed node); up restarts it
#
# Each node is its own dockerd in its own network namespace (a veth into a lab switch), its own
# mount namespace (so SWARM_LAB_LOCAL, a tmpfs per node, really differs between nodes) and its
# own UTS namespace (hostname tslab-nN). The switch is a bridge inside a namespace of its own,
# so the host's firewall (Docker's FORWARD DROP) never sees node-to-node traffic; the host joins
# it through one more veth. Addresses come from 198.18.213.0/24 (RFC 2544 benchmarking range),
# used only by these namespaces; the nodes have no default route, so their traffic reaches
# only each other and the host's lab address (registry, sshd).
#
# On the host's lab address: a registry (Debian's docker-registry, plain HTTP, every node
# trusts it with --insecure-registry) holding the lab image, and an sshd serving one folder
# that every node mounts through SSHFS inside its own mount namespace at SWARM_LAB_SHARED, the
# same path where the host mounts it too: the same data everywhere.
#
# Node 1 is the manager; labels tether.zone: zone-a, zone-a, zone-b. Idempotent: `up` only
# starts what is not answering. Progress goes to stderr.
set -euo pipefail

# one `up` or `down` at a time (test processes call it in parallel); -o: the daemons started
# below do not inherit the lock
if [[ "${SWARM_LAB_LOCKED:-}" != 1 ]]; then
  exec env SWARM_LAB_LOCKED=1 flock -o /run/tether-swarm-lab.lock bash "${BASH_SOURCE[0]}" "$@"
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run_dir=/run/tether-swarm-lab
state_dir=/var/lib/tether-swarm-lab
# under /srv: the host-path policy lets Tether map these (it denies /run and /var/lib)
mnt_dir=/srv/tether-swarm-lab
shared="$mnt_dir/shared"
local_dir="$mnt_dir/local"
nodes=(1 2 3)
zones=(zone-a zone-a zone-b)
subnet_prefix=198.18.213
host_addr="$subnet_prefix.1"
switch_ns=tslab-sw
registry_port=5000
sshd_port=2222
registry="$host_addr:$registry_port"
lab_image_local=tether-test/busybox:1
lab_image="$registry/tether-test/busybox:1"

log() { echo "swarm-lab: $*" >&2; }
die() { echo "swarm-lab: ERROR: $*" >&2; exit 1; }

node_ns() { echo "tslab-n$1"; }
node_addr() { echo "$subnet_prefix.1$1"; }
node_sock() { echo "$run_dir/n$1.sock"; }
node_pidfile() { echo "$run_dir/n$1/dockerd.pid"; }
dk() { local n="$1"; shift; docker -H "unix://$(node_sock "$n")" "$@"; }

alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }
pid_in() { [[ -s "$1" ]] && cat "$1" || true; }

wait_until() { # seconds, description, command...
  local secs="$1" what="$2"; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < end )) || die "timed out after ${secs}s waiting for $what"
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------------- network

ensure_network() {
  if ! ip netns list | grep -qw "$switch_ns"; then
    log "network: switch namespace $switch_ns with bridge br0, host side $host_addr/24"
    ip netns add "$switch_ns"
    ip -n "$switch_ns" link add br0 type bridge
    ip -n "$switch_ns" link set br0 up
    ip -n "$switch_ns" link set lo up
  fi
  if ! ip link show tslab-h >/dev/null 2>&1; then
    ip link add tslab-h type veth peer name tslab-hp
    ip link set tslab-hp netns "$switch_ns"
    ip -n "$switch_ns" link set tslab-hp master br0 up
    ip addr add "$host_addr/24" dev tslab-h
    ip link set tslab-h up
  fi
  local n ns
  for n in "${nodes[@]}"; do
    ns="$(node_ns "$n")"
    if ! ip netns list | grep -qw "$ns"; then
      log "network: namespace $ns at $(node_addr "$n")"
      ip netns add "$ns"
      ip -n "$ns" link set lo up
    fi
    if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
      ip link del "tslab-v$n" 2>/dev/null || true
      ip link add "tslab-v$n" type veth peer name "tslab-p$n"
      ip link set "tslab-p$n" netns "$ns"
      ip -n "$ns" link set "tslab-p$n" name eth0
      ip -n "$ns" addr add "$(node_addr "$n")/24" dev eth0
      ip -n "$ns" link set eth0 up
      ip link set "tslab-v$n" netns "$switch_ns"
      ip -n "$switch_ns" link set "tslab-v$n" master br0 up
    fi
  done
}

# ------------------------------------------------------------------- registry and the share

ensure_registry() {
  if alive "$(pid_in "$run_dir/registry.pid")" && curl -fsS -m 2 "http://$registry/v2/" >/dev/null 2>&1; then return; fi
  log "registry: docker-registry on http://$registry"
  mkdir -p "$state_dir/registry"
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
    "$state_dir/registry" "$registry" > "$state_dir/registry.yml"
  setsid docker-registry serve "$state_dir/registry.yml" </dev/null >>"$state_dir/registry.log" 2>&1 &
  echo $! > "$run_dir/registry.pid"
  wait_until 20 "the registry to answer" curl -fsS -m 2 "http://$registry/v2/"
}

ensure_sshd() {
  mkdir -p "$state_dir/ssh" "$state_dir/export" /run/sshd
  [[ -f "$state_dir/ssh/client_key" ]] || ssh-keygen -q -t ed25519 -N '' -f "$state_dir/ssh/client_key"
  [[ -f "$state_dir/ssh/host_key" ]] || ssh-keygen -q -t ed25519 -N '' -f "$state_dir/ssh/host_key"
  cp "$state_dir/ssh/client_key.pub" "$state_dir/ssh/authorized_keys"
  chmod 600 "$state_dir/ssh/authorized_keys"
  if alive "$(pid_in "$run_dir/sshd.pid")"; then return; fi
  log "share: sshd on $host_addr:$sshd_port serving $state_dir/export"
  # -f /dev/null: none of the machine's sshd settings; our own keys, our own authorized_keys
  /usr/sbin/sshd -f /dev/null -p "$sshd_port" -h "$state_dir/ssh/host_key" \
    -o "ListenAddress=$host_addr" -o "PidFile=$run_dir/sshd.pid" \
    -o "AuthorizedKeysFile=$state_dir/ssh/authorized_keys" -o StrictModes=no \
    -o PermitRootLogin=prohibit-password -o UsePAM=no \
    -o 'Subsystem=sftp /usr/lib/openssh/sftp-server' -E "$state_dir/sshd.log"
  wait_until 10 "sshd to listen" ss -Hltn "sport = :$sshd_port"
}

# the sshfs options every mount of the share uses: no caches, so every node sees every write
sshfs_opts() {
  echo "IdentityFile=$state_dir/ssh/client_key,StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,BatchMode=yes,allow_other,cache=no,attr_timeout=0,entry_timeout=0,negative_timeout=0"
}

ensure_host_share() {
  mkdir -p "$shared" "$local_dir"
  if mountpoint -q "$shared"; then return; fi
  log "share: mounting it on the host at $shared"
  sshfs -p "$sshd_port" -o "$(sshfs_opts)" "root@$host_addr:$state_dir/export" "$shared"
}

# -------------------------------------------------------------------------------- the nodes

node_pid() { local p; p="$(pid_in "$(node_pidfile "$1")")"; alive "$p" && echo "$p" || true; }

# runs a command inside node N's mount and network namespaces
in_node() { local n="$1"; shift; nsenter --target "$(node_pid "$n")" --mount --net --uts "$@"; }

node_answers() { dk "$1" version --format '{{.Server.Version}}'; }

start_node() {
  local n="$1" dir="$run_dir/n$1" data="$state_dir/n$1"
  mkdir -p "$dir/exec" "$data/data"
  echo '{}' > "$dir/daemon.json"
  rm -f "$(node_sock "$n")" "$(node_pidfile "$n")"
  # A node whose engine was stopped uncleanly (stop-node: a node failing) can keep a stale record
  # of a swarm network in its local network store and then reject every task attached to it
  # ("network ... exists", moby #37087/#38318). The store holds nothing a lab node needs across a
  # restart: the swarm hands its networks back, the agent remakes its config-only network before
  # it answers. Real hosts: recreate the network once unused (docs/multi-host.md).
  rm -f "$data/data/network/files/local-kv.db"
  log "node $n: dockerd in namespace $(node_ns "$n") (log $data/dockerd.log)"
  # unshare -m: its own mount namespace, so the tmpfs at SWARM_LAB_LOCAL and its own SSHFS
  # mount of the share exist only for this node. A stale host mount of the share inherited at
  # unshare time is dropped first, so the node's mount is really its own connection.
  # shellcheck disable=SC2016
  setsid nsenter --net="/var/run/netns/$(node_ns "$n")" \
    unshare -m -u --propagation private sh -c '
      set -e
      hostname "$1"
      umount -l "$3" 2>/dev/null || true
      mount -t tmpfs -o size=64m tmpfs "$2"
      echo "$1" > "$2/node-name"
      sshfs -p "$6" -o "$7" "root@$5" "$3"
      # a system containerd socket would be shared by every node: make each start its own
      if [ -e /run/containerd/containerd.sock ]; then mount -t tmpfs tmpfs /run/containerd; fi
      exec dockerd --data-root "$4/data" --exec-root "$8/exec" --pidfile "$8/dockerd.pid" \
        --config-file "$8/daemon.json" -H "unix://$9" --bridge=none --iptables=false \
        --insecure-registry "${10}" --log-level warn
    ' sh "$(node_ns "$n")" "$local_dir" "$shared" "$data" "$host_addr:$state_dir/export" \
      "$sshd_port" "$(sshfs_opts)" "$dir" "$(node_sock "$n")" "$registry" \
    </dev/null >>"$data/dockerd.log" 2>&1 &
  wait_until 60 "node $n's dockerd to answer" node_answers "$n"
}

# What the agent's service needs of a host, made in node N's mount namespace (so the host's
# own mounts stay as they are); checked first, so a running node is only looked at.
ensure_node_host() {
  # shellcheck disable=SC2016
  in_node "$1" sh -c '
    set -e
    # a /run/tether of the node alone (on a real host /run is a tmpfs per host) holding the
    # staging root that the agent service binds (Swarm never creates a bind source)
    if ! mountpoint -q /run/tether; then mkdir -p /run/tether; mount -t tmpfs -o mode=755,size=16m tmpfs /run/tether; fi
    [ -d /run/tether/staging ] || mkdir -m 700 /run/tether/staging
    # as on a systemd host: mounts are shared, so the agent container can bind the root of the
    # node (rslave) and hand its stages back to the node (rshared)
    [ "$(findmnt -no PROPAGATION /)" = shared ] || mount --make-rshared /
    # the node engine at the usual socket path, seen inside this node only
    if [ "$(stat -L -c %i /run/docker.sock 2>/dev/null)" != "$(stat -c %i "$1")" ]; then
      umount /run/docker.sock 2>/dev/null || true
      [ -e /run/docker.sock ] || touch /run/docker.sock
      mount --bind "$1" /run/docker.sock
    fi
  ' sh "$(node_sock "$1")"
}

ensure_nodes() {
  local n
  for n in "${nodes[@]}"; do
    if [[ -n "$(node_pid "$n")" ]] && node_answers "$n" >/dev/null 2>&1 \
      && in_node "$n" mountpoint -q "$shared"; then
      ensure_node_host "$n"
      continue
    fi
    if [[ -n "$(node_pid "$n")" ]]; then stop_nodes "$n"; fi
    start_node "$n"
    ensure_node_host "$n"
  done
}

swarm_state() { dk "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || true; }
node_id() { dk "$1" info --format '{{.Swarm.NodeID}}'; }

ensure_swarm() {
  if [[ "$(swarm_state 1)" != active ]]; then
    log "swarm: node 1 initialises it, advertising $(node_addr 1)"
    dk 1 swarm init --advertise-addr "$(node_addr 1)" --listen-addr "$(node_addr 1):2377" >/dev/null
  fi
  local token n i
  token="$(dk 1 swarm join-token -q worker)"
  for n in "${nodes[@]:1}"; do
    if [[ "$(swarm_state "$n")" == active ]]; then continue; fi
    if [[ "$(swarm_state "$n")" != inactive ]]; then dk "$n" swarm leave --force >/dev/null 2>&1 || true; fi
    log "swarm: node $n joins"
    dk "$n" swarm join --token "$token" --advertise-addr "$(node_addr "$n")" \
      --listen-addr "$(node_addr "$n"):2377" "$(node_addr 1):2377" >/dev/null
  done
  for i in "${!nodes[@]}"; do
    n="${nodes[$i]}"
    dk 1 node update --label-add "tether.zone=${zones[$i]}" "$(node_id "$n")" >/dev/null
  done
  wait_until 30 "every node to be ready" all_nodes_ready
}

all_nodes_ready() {
  [[ "$(dk 1 node ls --format '{{.Status}}' | grep -c '^Ready$')" -eq "${#nodes[@]}" ]]
}

ensure_image() {
  if curl -fs -m 2 -o /dev/null "http://$registry/v2/tether-test/busybox/manifests/1" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json'; then return; fi
  log "registry: pushing $lab_image (through node 1, which trusts the registry)"
  bash "$here/build-test-images.sh"
  docker save "$lab_image_local" | dk 1 load >/dev/null
  dk 1 tag "$lab_image_local" "$lab_image"
  dk 1 push "$lab_image" >/dev/null
}

# -------------------------------------------------------------------------------- the agent

agent_key="$state_dir/agent.key"
agent_service=tether-agent
# the file name the agents read under /run/secrets; the secret itself is named after the key
agent_secret_target=tether-agent-key

# The agent as Swarm users deploy it (docs/multi-host.md shows the same command): a global
# service, one task per node, on the host network (port 7710 on the node's address), with the
# node's file system at /host, its staging root handed back rshared, its engine's socket and
# the join key as a secret. CAP_SYS_ADMIN: bind mounts (the stages), entering a session's
# network namespace; CAP_SYS_PTRACE: the root of a session process run by another user
# (/host/proc/PID/root); CAP_NET_ADMIN: the node's firewall for the sessions' subnet (iptables
# in the node's network namespace, src/agent/node-sessions.ts). No --privileged.
agent_service_args() { # image, spec label, secret -> `docker service create` arguments
  printf '%s\n' --name "$agent_service" --mode global --network host \
    --cap-add CAP_SYS_ADMIN --cap-add CAP_SYS_PTRACE --cap-add CAP_NET_ADMIN \
    --mount type=bind,source=/,target=/host,bind-propagation=rslave \
    --mount type=bind,source=/run/tether/staging,target=/host/run/tether/staging,bind-propagation=rshared \
    --mount type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock \
    --secret "source=$3,target=$agent_secret_target,mode=0400" \
    --label "tether.agent.spec=$2" "$1"
}

agent_tasks_running() { # every node runs the current spec's task
  [[ "$(dk 1 service ps "$agent_service" --filter desired-state=running --format '{{.CurrentState}}' \
    | grep -c '^Running')" -eq "${#nodes[@]}" ]]
}

agent_answers() { # the agent's port on every node answers HTTP (unsigned requests get a 401)
  local n
  for n in "${nodes[@]}"; do
    [[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://$(node_addr "$n"):7710/v1/ping")" != 000 ]] || return 1
  done
}

# The join key the server and the agents share (its format: src/agent/keys.ts), printed as
# TETHER_AGENT_KEY_FILE for the server; the agents get it as a Swarm secret, at
# /run/secrets/tether-agent-key.
ensure_agent_key() {
  [[ -s "$agent_key" ]] && return
  log "agent: new join key $agent_key"
  (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '=\n' | tr '+/' '-_' > "$agent_key" && echo >> "$agent_key")
}

ensure_agent() {
  local image ref spec_hash
  ensure_agent_key
  # built in the manager's engine, which pushes it: only the layers the registry lacks travel
  # (a new build of Tether: its compiled code, under 1 MB). A build that fails (src/ mid-edit)
  # leaves whatever agent runs: the rest of the lab is usable.
  if ! image="$(DOCKER_HOST="unix://$(node_sock 1)" bash "$here/build-agent-image.sh" | tail -n 1)" || [[ -z "$image" ]]; then
    log "agent: WARNING: the agent image did not build (above); the agent service is left as it is"
    return
  fi
  ref="$registry/$image"
  if ! curl -fs -m 2 -o /dev/null "http://$registry/v2/${image%%:*}/manifests/${image##*:}" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json'; then
    log "registry: pushing $ref (from node 1)"
    dk 1 tag "$image" "$ref"
    dk 1 push "$ref" >/dev/null
  fi
  # the secret is named after the key's digest: a key file changed since -> a new secret and
  # the service anew (a secret cannot change, and one still in use cannot be removed)
  local secret
  secret="$agent_secret_target-$(sha256sum "$agent_key" | cut -c1-16)"
  spec_hash="$(agent_service_args "$ref" - "$secret" | sha256sum | cut -c1-16)"
  if [[ "$(dk 1 service inspect -f '{{index .Spec.Labels "tether.agent.spec"}}' "$agent_service" 2>/dev/null)" == "$spec_hash" ]]; then
    # deployed: a node that has just come back gets its task from Swarm itself
    wait_until 120 "the agent to run on every node" agent_tasks_running
    wait_until 30 "the agent to answer on every node (port 7710)" agent_answers
    return
  fi
  if ! dk 1 run --rm --network none "$image" \
    node /opt/tether/dist/cli/main.js agent --help 2>/dev/null | grep -q -- --host-root; then
    log "agent: WARNING: this build of Tether has no \`tether agent\` command; the agent is not deployed"
    return
  fi
  log "agent: deploying the global service $agent_service ($ref)"
  dk 1 service rm "$agent_service" >/dev/null 2>&1 || true
  if ! dk 1 secret inspect "$secret" >/dev/null 2>&1; then
    # tether.agent-key: the label of the secrets `tether agent rotate-key` makes, and removes
    # once no task uses them (this lab's older ones too)
    dk 1 secret create --label tether.agent-key=1 "$secret" "$agent_key" >/dev/null
  fi
  local args
  mapfile -t args < <(agent_service_args "$ref" "$spec_hash" "$secret")
  dk 1 service create --detach --quiet "${args[@]}" >/dev/null
  if ! (wait_until 120 "the agent to run on every node" agent_tasks_running); then
    dk 1 service ps --no-trunc --format '{{.Node}} {{.CurrentState}} {{.Error}}' "$agent_service" | head -6 >&2
    dk 1 service logs --tail 5 "$agent_service" >&2 2>&1 || true
    die "the agent service $agent_service does not run on every node (above: its tasks and last log lines)"
  fi
  wait_until 30 "the agent to answer on every node (port 7710)" agent_answers
}

# ------------------------------------------------------------------------------------ down

# every process whose network namespace is the named one (dockerd, containerd, shims, sshfs,
# the session containers themselves)
pids_in_netns() {
  local ns="$1" ino pid
  ino="$(stat -L -c %i "/var/run/netns/$ns" 2>/dev/null)" || return 0
  for pid in /proc/[0-9]*; do
    [[ "$(stat -L -c %i "$pid/ns/net" 2>/dev/null || true)" == "$ino" ]] && echo "${pid#/proc/}"
  done
  return 0
}

descendants() { # pid -> every descendant pid
  local parent="$1" child
  for child in $(ps -o pid= --ppid "$parent" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

# Stops every node at once: containers first (force-removed: nothing in them is kept; a
# session's PID 1 that ignores SIGTERM would otherwise hold dockerd for its stop timeout),
# then dockerd, then whatever is left in the node's network namespace.
stop_nodes() {
  local n pid pids=() left
  for n in "$@"; do
    pid="$(node_pid "$n")"
    [[ -n "$pid" ]] || continue
    log "node $n: stopping dockerd ($pid) and its containers"
    # shellcheck disable=SC2046
    dk "$n" rm -f $(dk "$n" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done
  for _ in $(seq 1 100); do
    left=0
    for pid in "${pids[@]}"; do alive "$pid" && left=1; done
    (( left )) || break
    sleep 0.1
  done
  for n in "$@"; do
    left="$(pids_in_netns "$(node_ns "$n")")"
    # shellcheck disable=SC2086
    if [[ -n "$left" ]]; then kill -KILL $left 2>/dev/null || true; fi
    rm -f "$(node_pidfile "$n")" "$(node_sock "$n")"
  done
}

down() {
  # a stopped sftp-server would hang whatever touches the share, unmounting included
  local sshd_pid p n
  sshd_pid="$(pid_in "$run_dir/sshd.pid")"
  if alive "$sshd_pid"; then
    for p in $(descendants "$sshd_pid"); do kill -CONT "$p" 2>/dev/null || true; done
  fi
  stop_nodes "${nodes[@]}"
  if mountpoint -q "$shared" 2>/dev/null; then
    log "share: unmounting $shared"
    umount -l "$shared" || true
  fi
  if alive "$sshd_pid"; then log "share: stopping sshd"; kill -TERM "$sshd_pid" || true; fi
  p="$(pid_in "$run_dir/registry.pid")"
  if alive "$p"; then log "registry: stopping"; kill -TERM "$p" || true; fi
  for n in "${nodes[@]}"; do
    if ip netns list | grep -qw "$(node_ns "$n")"; then log "network: removing $(node_ns "$n")"; ip netns del "$(node_ns "$n")"; fi
  done
  if ip link show tslab-h >/dev/null 2>&1; then ip link del tslab-h; fi
  if ip netns list | grep -qw "$switch_ns"; then log "network: removing $switch_ns"; ip netns del "$switch_ns"; fi
  rm -rf "$run_dir" "$state_dir"
  if [[ -d "$mnt_dir" ]] && ! mountpoint -q "$shared"; then rm -rf "$mnt_dir"; fi
  log "down"
}

# -------------------------------------------------------------------------------------- up

up() {
  local t0=$SECONDS
  [[ "$(id -u)" -eq 0 ]] || die "run as root (namespaces, mounts, daemons)"
  # every engine is named explicitly (dk, the host's socket): a DOCKER_HOST from an earlier
  # `eval` of this very script must not send the host's work to the manager
  unset DOCKER_HOST DOCKER_CONTEXT
  # stdout carries only the assignments: everything the steps print goes to stderr
  {
    bash "$here/ensure-tools.sh"
    bash "$here/ensure-docker.sh"
    command -v dockerd >/dev/null || die "dockerd is not installed (scripts/lab/ensure-docker.sh)"
    mkdir -p "$run_dir" "$state_dir"
    ensure_network
    ensure_registry
    ensure_sshd
    ensure_host_share
    ensure_nodes
    ensure_swarm
    ensure_image
    ensure_agent
  } >&2
  log "up in $((SECONDS - t0)) s: manager $(node_sock 1), image $lab_image, shared $shared, local $local_dir"
  printf 'export DOCKER_HOST=%q\n' "unix://$(node_sock 1)"
  printf 'export TETHER_RUNTIME=swarm\n'
  printf 'export SWARM_LAB_SHARED=%q\n' "$shared"
  printf 'export SWARM_LAB_LOCAL=%q\n' "$local_dir"
  printf 'export SWARM_LAB_IMAGE=%q\n' "$lab_image"
  printf 'export TETHER_AGENT_KEY_FILE=%q\n' "$agent_key"
}

# A node whose engine stops (for tests of a failed node): its dockerd and everything in its
# namespaces end, its containers are removed; the swarm sees it go down. `up` starts it again.
stop_node() {
  local n="${1:-}"
  [[ " ${nodes[*]} " == *" $n "* ]] || die "stop-node: expected a node number (${nodes[*]}), got \"$n\""
  stop_nodes "$n"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  stop-node) stop_node "${2:-}" ;;
  *) echo "usage: $0 up|down|stop-node N" >&2; exit 2 ;;
esac
