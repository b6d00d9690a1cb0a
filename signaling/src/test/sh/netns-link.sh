#!/usr/bin/env bash
# A shaped link for end-to-end tests: a network namespace of the test's own, joined to the host by a
# veth pair with a private /30, and loss, delay, jitter and a rate cap on that pair, applied by the
# kernel. Whatever runs in the namespace (a browser, its chromedriver, a peer) reaches the host only
# through the link; nothing of the host's own networking is touched (no host firewall rules, no
# routes but the /30 of the veth end the script made).
#
#   netns-link.sh up NAME [--owner PID] [SHAPE...]   namespace NAME, veth pair, addresses, shaping
#   netns-link.sh shape NAME [SHAPE...]             replaces the shaping (none given: a clean link)
#   netns-link.sh exec NAME COMMAND [ARG...]         runs COMMAND inside the namespace
#   netns-link.sh down NAME                          kills what runs inside, removes namespace and pair
#   netns-link.sh prune                              downs every link whose owner process is gone
#   netns-link.sh check                              exit 0 when links can be made here; exit 3 and
#                                                    the reason on stderr when they cannot
#                                                    (not root, no iproute2); exit 1 when nft is
#                                                    missing (an install step is missing)
#
#   SHAPE: --loss PERCENT (e.g. 10 or 2.5)  --delay MS  --jitter MS  --rate RATE (tc units: 4mbit)
#
# Each direction gets the whole shape: what the host sends into the namespace and what the
# namespace sends out both lose PERCENT, are delayed MS ± jitter MS, and are capped at RATE.
#
# How each is applied:
#   loss   nftables, in a netdev table inside the namespace on its end of the pair (ingress and
#          egress hooks, numgen random), UDP only, on any kernel: media is lossy; the TCP of HTTP,
#          the WebSocket and WebDriver is not, so a test's control channel does not turn flaky.
#          A datagram dropped there is lost on the wire: the sender's send() still succeeds.
#   delay  tc netem on both veth ends when the kernel has sch_netem (then TCP is delayed too);
#   jitter otherwise it is not applied and the result line says so (delay=unavailable): the
#          caller applies it some other way (the server's in-process impairment stage,
#          media.impairment) for the peer's address.
#   rate   tc tbf on both veth ends (under netem when netem is there).
#
# `up` and `shape` print one line that a test parses (key=value, space separated):
#   netns-link name=N namespace=N host=10.213.A.B peer=10.213.A.C prefix=30 host_dev=D \
#     loss=nftables|none delay=netem|unavailable|none rate=tbf|none
# Errors go to stderr with a non-zero exit.
#
# Safe to repeat: `down` of a link that is not there succeeds; an `up` that fails half way takes
# down what it made. State lives in /run/archipelago-netns/NAME.env. Needs root, ip (iproute2), tc,
# and nft (Debian package nftables) when --loss is used.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

STATE_DIR=/run/archipelago-netns
LOCK_FILE=$STATE_DIR/.lock
# 10.213.0.0/16 in /30s: unlikely to meet a real network; each candidate is checked against the
# host's addresses and routes before it is taken.
SUBNET_PREFIX=10.213

die() {
  echo "netns-link: $*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

valid_name() {
  [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$ ]] || die "invalid link name '$1' (letters, digits, . _ -; at most 63)"
}

# Interface names are at most 15 characters: derive short ones from the link name.
dev_names() {
  local hash
  hash=$(printf '%s' "$1" | cksum | awk '{printf "%08x", $1}')
  HOST_DEV="anl${hash}h"
  PEER_DEV="anl${hash}n"
}

in_ns() {
  ip netns exec "$NAME" "$@"
}

# Sets LOSS, DELAY, JITTER, RATE from SHAPE arguments.
parse_shape() {
  LOSS="" DELAY="" JITTER="" RATE=""
  while (($#)); do
    case "$1" in
      --loss) LOSS=${2:?--loss needs a percentage}; shift 2 ;;
      --delay) DELAY=${2:?--delay needs milliseconds}; shift 2 ;;
      --jitter) JITTER=${2:?--jitter needs milliseconds}; shift 2 ;;
      --rate) RATE=${2:?--rate needs a rate such as 4mbit}; shift 2 ;;
      *) die "unknown option '$1'" ;;
    esac
  done
  [[ -z "$LOSS" || "$LOSS" =~ ^[0-9]+(\.[0-9]{1,2})?$ ]] || die "--loss must be a percentage such as 10 or 2.5, got '$LOSS'"
  [[ -z "$DELAY" || "$DELAY" =~ ^[0-9]+$ ]] || die "--delay must be whole milliseconds, got '$DELAY'"
  [[ -z "$JITTER" || "$JITTER" =~ ^[0-9]+$ ]] || die "--jitter must be whole milliseconds, got '$JITTER'"
  [[ -z "$RATE" || "$RATE" =~ ^[0-9]+(\.[0-9]+)?([kmg]?bit)$ ]] || die "--rate must be a tc rate such as 4mbit or 500kbit, got '$RATE'"
  if [[ -n "$JITTER" && -z "$DELAY" ]]; then
    die "--jitter needs --delay"
  fi
  # A percentage with up to two decimals, as parts per 10 000 for nft's numgen.
  LOSS_PER_10000=0
  if [[ -n "$LOSS" ]]; then
    local whole=${LOSS%%.*} fraction=""
    [[ "$LOSS" == *.* ]] && fraction=${LOSS#*.}
    fraction=${fraction}00
    LOSS_PER_10000=$((10#$whole * 100 + 10#${fraction:0:2}))
    ((LOSS_PER_10000 <= 10000)) || die "--loss must be at most 100, got '$LOSS'"
  fi
}

netem_available() {
  # Probed on the namespace's own loopback, so the host is never touched.
  if in_ns tc qdisc add dev lo root handle 1: netem delay 0ms 2>/dev/null; then
    in_ns tc qdisc del dev lo root 2>/dev/null || true
    return 0
  fi
  return 1
}

# tbf's bucket: at least one full-size frame, else about 20 ms of the rate.
tbf_args() {
  echo "rate $RATE burst $(tbf_burst "$RATE") latency 100ms"
}

tbf_burst() {
  local rate=$1 number unit bits
  number=${rate%%[kmg]*bit}
  number=${number%bit}
  unit=${rate#"$number"}
  case "$unit" in
    kbit) bits=$(awk -v n="$number" 'BEGIN{printf "%d", n * 1000}') ;;
    mbit) bits=$(awk -v n="$number" 'BEGIN{printf "%d", n * 1000000}') ;;
    gbit) bits=$(awk -v n="$number" 'BEGIN{printf "%d", n * 1000000000}') ;;
    *) bits=$(awk -v n="$number" 'BEGIN{printf "%d", n}') ;;
  esac
  local bytes=$((bits / 8 / 50))
  ((bytes < 3000)) && bytes=3000
  echo "$bytes"
}

# Applies LOSS/DELAY/JITTER/RATE, replacing whatever shaping the link had. Sets the result words.
apply_shape() {
  # Loss: one table of our own inside the namespace, replaced as a whole.
  in_ns nft delete table netdev netns_link 2>/dev/null || true
  LOSS_HOW=none
  if ((LOSS_PER_10000 > 0)); then
    command -v nft >/dev/null || die "--loss needs nft (Debian package nftables)"
    # netdev hooks on the namespace's end of the pair: dropped there, a datagram is lost on the
    # wire. (An inet output hook would refuse the send with EPERM, which a sender sees and a
    # lossy network never shows.)
    in_ns nft -f - <<EOF
table netdev netns_link {
  chain incoming {
    type filter hook ingress device "$PEER_DEV" priority 0; policy accept;
    meta l4proto udp numgen random mod 10000 < $LOSS_PER_10000 counter drop
  }
  chain outgoing {
    type filter hook egress device "$PEER_DEV" priority 0; policy accept;
    meta l4proto udp numgen random mod 10000 < $LOSS_PER_10000 counter drop
  }
}
EOF
    LOSS_HOW=nftables
  fi

  # Delay and rate: qdiscs on the egress of both ends of the pair (the host end is ours too).
  tc qdisc del dev "$HOST_DEV" root 2>/dev/null || true
  in_ns tc qdisc del dev "$PEER_DEV" root 2>/dev/null || true
  DELAY_HOW=none
  RATE_HOW=none
  local netem=""
  if [[ -n "$DELAY" ]]; then
    if netem_available; then
      netem="delay ${DELAY}ms"
      [[ -n "$JITTER" ]] && netem="$netem ${JITTER}ms"
      DELAY_HOW=netem
    else
      DELAY_HOW=unavailable
    fi
  fi
  local run
  for run in host ns; do
    local -a tcx=(tc)
    local dev=$HOST_DEV
    if [[ $run == ns ]]; then
      tcx=(ip netns exec "$NAME" tc)
      dev=$PEER_DEV
    fi
    if [[ -n "$netem" ]]; then
      # shellcheck disable=SC2086
      "${tcx[@]}" qdisc add dev "$dev" root handle 1: netem $netem
      if [[ -n "$RATE" ]]; then
        # shellcheck disable=SC2046
        "${tcx[@]}" qdisc add dev "$dev" parent 1:1 handle 10: tbf $(tbf_args)
      fi
    elif [[ -n "$RATE" ]]; then
      # shellcheck disable=SC2046
      "${tcx[@]}" qdisc add dev "$dev" root handle 1: tbf $(tbf_args)
    fi
  done
  [[ -n "$RATE" ]] && RATE_HOW=tbf
  return 0
}

load_state() {
  [[ -f "$STATE_DIR/$NAME.env" ]] || die "no link '$NAME' (not up, or already down)"
  # shellcheck disable=SC1090
  source "$STATE_DIR/$NAME.env"
}

report() {
  echo "netns-link name=$NAME namespace=$NAME host=$HOST_IP peer=$PEER_IP prefix=30 host_dev=$HOST_DEV" \
    "loss=$LOSS_HOW delay=$DELAY_HOW rate=$RATE_HOW"
}

# A free /30: no host address inside it and no route that covers it except the default one.
pick_subnet() {
  local third fourth base
  local addresses routes
  addresses=$(ip -4 -o addr show | awk '{print $4}')
  for third in $(shuf -i 0-255); do
    for fourth in $(seq 0 4 252 | shuf -n 8); do
      base="$SUBNET_PREFIX.$third.$fourth"
      if grep -q "^$SUBNET_PREFIX\.$third\.\($fourth\|$((fourth + 1))\|$((fourth + 2))\|$((fourth + 3))\)/" <<<"$addresses"; then
        continue
      fi
      routes=$(ip -4 route show match "$base/30" table all 2>/dev/null | grep -v '^default' | grep -v '^local\|^broadcast\|^unreachable default' || true)
      if [[ -n "$routes" ]]; then
        continue
      fi
      HOST_IP="$SUBNET_PREFIX.$third.$((fourth + 1))"
      PEER_IP="$SUBNET_PREFIX.$third.$((fourth + 2))"
      return 0
    done
  done
  die "no free /30 in $SUBNET_PREFIX.0.0/16"
}

cmd_up() {
  NAME=${1:?usage: up NAME [--owner PID] [SHAPE...]}
  shift
  valid_name "$NAME"
  local owner=$PPID
  if [[ "${1:-}" == --owner ]]; then
    owner=${2:?--owner needs a process id}
    shift 2
  fi
  parse_shape "$@"
  dev_names "$NAME"
  mkdir -p "$STATE_DIR"
  exec 9>"$LOCK_FILE"
  flock 9
  [[ -e "$STATE_DIR/$NAME.env" ]] && die "link '$NAME' is already up"
  ip netns list | awk '{print $1}' | grep -qx "$NAME" && die "a namespace '$NAME' exists already"
  ip link show "$HOST_DEV" >/dev/null 2>&1 && die "interface $HOST_DEV exists already"
  pick_subnet

  # From here on, a failure takes down whatever was made.
  trap 'status=$?; trap - EXIT; if ((status != 0)); then teardown >/dev/null 2>&1 || true; fi; exit $status' EXIT
  cat >"$STATE_DIR/$NAME.env" <<EOF
HOST_DEV=$HOST_DEV
PEER_DEV=$PEER_DEV
HOST_IP=$HOST_IP
PEER_IP=$PEER_IP
OWNER=$owner
EOF
  ip netns add "$NAME"
  ip link add "$HOST_DEV" type veth peer name "$PEER_DEV"
  ip link set "$PEER_DEV" netns "$NAME"
  ip addr add "$HOST_IP/30" dev "$HOST_DEV"
  ip link set "$HOST_DEV" up
  in_ns ip link set lo up
  in_ns ip addr add "$PEER_IP/30" dev "$PEER_DEV"
  in_ns ip link set "$PEER_DEV" up
  # The namespace reaches the host's end and nothing else.
  in_ns ip route add default via "$HOST_IP" dev "$PEER_DEV"
  flock -u 9
  apply_shape
  trap - EXIT
  report
}

cmd_shape() {
  NAME=${1:?usage: shape NAME [SHAPE...]}
  shift
  valid_name "$NAME"
  parse_shape "$@"
  load_state
  apply_shape
  report
}

cmd_exec() {
  NAME=${1:?usage: exec NAME COMMAND [ARG...]}
  shift
  valid_name "$NAME"
  (($#)) || die "exec needs a command"
  [[ -f "$STATE_DIR/$NAME.env" ]] || die "no link '$NAME'"
  exec ip netns exec "$NAME" "$@"
}

# Removes the link named NAME, whatever is left of it.
teardown() {
  dev_names "$NAME"
  if ip netns list | awk '{print $1}' | grep -qx "$NAME"; then
    # Processes left inside (a browser that outlived its driver) would keep the namespace alive.
    local pids
    pids=$(ip netns pids "$NAME" 2>/dev/null || true)
    if [[ -n "$pids" ]]; then
      # shellcheck disable=SC2086
      kill -TERM $pids 2>/dev/null || true
      local i
      for i in 1 2 3 4 5 6 7 8 9 10; do
        pids=$(ip netns pids "$NAME" 2>/dev/null || true)
        [[ -z "$pids" ]] && break
        sleep 0.2
      done
      # shellcheck disable=SC2086
      [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null || true
    fi
    ip netns del "$NAME" 2>/dev/null || true
  fi
  # Deleting either end removes the pair.
  ip link del "$HOST_DEV" 2>/dev/null || true
  rm -f "$STATE_DIR/$NAME.env"
}

cmd_down() {
  NAME=${1:?usage: down NAME}
  valid_name "$NAME"
  teardown
}

cmd_prune() {
  [[ -d "$STATE_DIR" ]] || return 0
  local file
  for file in "$STATE_DIR"/*.env; do
    [[ -e "$file" ]] || continue
    local OWNER=""
    # shellcheck disable=SC1090
    source "$file"
    if [[ -n "$OWNER" ]] && ! kill -0 "$OWNER" 2>/dev/null; then
      NAME=$(basename "$file" .env)
      echo "netns-link: pruning '$NAME' (owner $OWNER is gone)" >&2
      teardown
    fi
  done
}

cannot() {
  echo "netns-link: $*" >&2
  exit 3
}

(($#)) || usage
[[ $(id -u) -eq 0 ]] || cannot "needs root (network namespaces, veth, tc)"
command -v ip >/dev/null || cannot "needs ip (Debian package iproute2)"
command -v tc >/dev/null || cannot "needs tc (Debian package iproute2)"
command=$1
shift
case "$command" in
  up) cmd_up "$@" ;;
  shape) cmd_shape "$@" ;;
  exec) cmd_exec "$@" ;;
  down) cmd_down "$@" ;;
  prune) cmd_prune ;;
  check) command -v nft >/dev/null || die "needs nft (Debian package nftables)" ;;
  -h | --help | help) usage ;;
  *) die "unknown command '$command' (up, shape, exec, down, prune, check)" ;;
esac
