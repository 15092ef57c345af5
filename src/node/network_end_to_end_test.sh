#!/usr/bin/env bash
# The prover network end to end, as real processes on loopback: a coordinator, prover nodes
# (`provernet node`) and a requester (`provernet request ...`), keys made with `provernet key new`.
#   0. a listen-only node logs what it would take and bids nothing;
#   1. happy path: a node fulfils a black-scholes-1 and a liquidation-4x2 request, after a
#      coordinator restart it had to reconnect through; the requester gets each proof, and
#      snarkjs accepts it;
#   2. a node killed (SIGKILL) right after locking: another node fulfils once the lock lapses,
#      and the killed node is slashed (its prover record counts a missed request);
#   3. a node delivering invalid proofs (--fault invalid-proof): rejected and slashed, and the
#      request is still fulfilled by another node;
#   4. a spike: three requests open at once are locked by one node in one signed batch (one
#      nonce in the coordinator's command log), then each is proved and fulfilled.
# Usage: src/node/network_end_to_end_test.sh PROVERNET_BIN [SNARKJS_BIN]
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
P="$(realpath "$1")"
SNARKJS="${2:-$ROOT/tools/node_modules/.bin/snarkjs}"
W="$(mktemp -d "${TMPDIR:-/tmp}/provernet-network.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [[ "${KEEP:-0}" == 1 ]]; then echo "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
# shellcheck source=../../scripts/lib/keys.sh
source "$ROOT/scripts/lib/keys.sh"

pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
die() { bad "$1"; for f in "$W"/*.log; do echo "--- $f"; tail -n 25 "$f"; done; exit 1; }
json() {  # json FILE_OR_- EXPR: prints a Python expression of the parsed JSON `j`
  python3 -c "import json,sys; j=json.load(sys.stdin); print($2)" <"$1"
}
now_s() { date +%s; }

# wait_for SECONDS DESCRIPTION CMD...: polls CMD every 0.25 s until it succeeds.
wait_for() {
  local limit="$1" what="$2"; shift 2
  local end=$(($(now_s) + limit))
  while (($(now_s) < end)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  return 1
}

# --- Keys, circuits and the coordinator ------------------------------------------------------
t0=$(now_s)
BS_KEY=$(ensure_key black-scholes-1) || die "setup black-scholes-1"
LQ_KEY=$(ensure_key liquidation-4x2) || die "setup liquidation-4x2"
"$P" circuit example black-scholes-1 >"$W/bs-input.json" || die "example input black-scholes-1"
"$P" circuit example liquidation-4x2 >"$W/lq-input.json" || die "example input liquidation-4x2"
for who in operator requester a b c l; do
  "$P" key new "$W/$who.key" >"$W/$who.addr" || die "key new $who"
done
addr() { cat "$W/$1.addr"; }
[[ "$("$P" key address "$W/a.key")" == "$(addr a)" ]] && ok "key address reads the key file" || bad "key address"

start_coordinator() {  # start_coordinator LISTEN
  "$P" coordinator --data-dir "$W/coord" --listen "$1" --operator "$(addr operator)" >"$W/coordinator.out" 2>>"$W/coordinator.log" &
  COORD_PID=$!
  PIDS+=("$COORD_PID")
  wait_for 20 "coordinator up" grep -q "listening on" "$W/coordinator.out" || die "coordinator did not start"
  URL=$(grep -o 'http://[0-9.:]*' "$W/coordinator.out" | head -1)
}
start_coordinator 127.0.0.1:0
PORT="${URL##*:}"
echo "coordinator at $URL"

BS=$("$P" circuit register black-scholes-1 --zkey "$BS_KEY" --coordinator "$URL") || die "register black-scholes-1"
LQ=$("$P" circuit register liquidation-4x2 --zkey "$LQ_KEY" --coordinator "$URL") || die "register liquidation-4x2"
[[ ${#BS} == 64 && ${#LQ} == 64 ]] && ok "circuits registered ($BS, $LQ)" || bad "circuit identities: '$BS' '$LQ'"

for who in requester a b c; do
  "$P" request deposit --coordinator "$URL" --key "$W/operator.key" --account "$(addr "$who")" --amount 1000000 >/dev/null ||
    die "deposit to $who"
done
# Only the operator may deposit.
if "$P" request deposit --coordinator "$URL" --key "$W/a.key" --account "$(addr a)" --amount 5 >"$W/out" 2>&1; then
  bad "a prover's deposit was accepted"
else
  grep -q "403" "$W/out" && ok "a deposit not signed by the operator is refused (403)" || bad "deposit refusal: $(cat "$W/out")"
fi

# --- Nodes -----------------------------------------------------------------------------------
declare -A NODE_PID
start_node() {  # start_node NAME [--fault F]
  local name="$1"; shift
  cat >"$W/$name.toml" <<EOF
key_file = "$name.key"
coordinator = "$URL"
capacity = ${CAPACITY:-1}
cache_dir = "cache-$name"
stake = 50000
name = "node-$name"
max_consecutive_failures = 3
EOF
  if [[ "${1:-}" == --listen-only ]]; then echo "listen_only = true" >>"$W/$name.toml"; shift; fi
  "$P" node --config "$W/$name.toml" "$@" 2>>"$W/node-$name.log" &
  NODE_PID[$name]=$!
  PIDS+=("${NODE_PID[$name]}")
  # Ready once its stake is in and it is following the stream.
  wait_for 60 "node $name ready" grep -q "connected to the coordinator stream" "$W/node-$name.log" ||
    die "node $name did not start"
}
stop_node() {  # graceful: it finishes what it holds
  kill -TERM "${NODE_PID[$1]}" 2>/dev/null
  wait "${NODE_PID[$1]}" 2>/dev/null
}

request_field() {  # request_field ID EXPR
  "$P" request status --coordinator "$URL" "$1" >"$W/status.json" 2>/dev/null && json "$W/status.json" "$2"
}
is_state() { [[ "$(request_field "$1" 'j["state"]')" == "$2" ]]; }
is_holder() { [[ "$(request_field "$1" 'j["holder"]')" == "$2" ]]; }
prover_field() {  # prover_field NAME EXPR (j = the prover record)
  "$P" request account --coordinator "$URL" "$(addr "$1")" >"$W/acct.json" 2>/dev/null &&
    json "$W/acct.json" "(lambda j: $2)(j.get('prover') or {})"
}
prover_at_least() { (($(prover_field "$1" "j.get('$2', 0)") >= $3)); }

submit() {  # submit CIRCUIT INPUT LOCK_MS TIMEOUT_MS -> request id
  "$P" request submit --coordinator "$URL" --key "$W/requester.key" --circuit "$1" --inputs "$2" \
    --min-price 1000 --max-price 5000 --ramp-ms 2000 --lock-ms "$3" --timeout-ms "$4" --collateral 1000 \
    --priority pricing 2>>"$W/requester.log"
}

get_and_verify() {  # get_and_verify ID NAME: request get, then snarkjs
  local d="$W/got-$1"
  if "$P" request get --coordinator "$URL" "$1" --out "$d" >"$W/get.out" 2>&1 && grep -q "^OK" "$W/get.out"; then
    ok "$2: request get checks the proof ($(head -c 120 "$W/get.out"))"
  else
    bad "$2: request get: $(cat "$W/get.out")"
  fi
  if "$SNARKJS" groth16 verify "$d/verification_key.json" "$d/public.json" "$d/proof.json" 2>&1 | grep -q "OK"; then
    ok "$2: snarkjs groth16 verify accepts the delivered proof"
  else
    bad "$2: snarkjs rejects the delivered proof"
  fi
}

# 0. A listen-only node, alone: it logs what it would take and bids nothing.
start_node l --listen-only
R1=$(submit "$BS" "$W/bs-input.json" 60000 90000) || die "submit black-scholes-1"
wait_for 20 "listen-only log" grep -q "listen-only: would lock request $R1 " "$W/node-l.log" && is_state "$R1" open &&
  ok "a listen-only node logs what it would take and bids nothing" || bad "listen-only node: $(tail -n 5 "$W/node-l.log")"
stop_node l

# 1. Happy path, through a coordinator restart.
start_node b
kill -TERM "$COORD_PID"; wait "$COORD_PID" 2>/dev/null
: >"$W/coordinator.out"
start_coordinator "127.0.0.1:$PORT"
wait_for 30 "node b reconnects" bash -c "grep -c 'connected to the coordinator stream' '$W/node-b.log' | grep -qv '^1$'" &&
  ok "node b reconnected after a coordinator restart" || bad "node b did not reconnect"

R2=$(submit "$LQ" "$W/lq-input.json" 60000 90000) || die "submit liquidation-4x2"
# Resubmitting with the same idempotency key gives the same request; an unlocked request can be
# cancelled (deadlines too short for any node to take it).
AT=$(($(date +%s%3N) + 1000))
dup() {
  "$P" request submit --coordinator "$URL" --key "$W/requester.key" --circuit "$BS" --inputs "$W/bs-input.json" \
    --max-price 10 --lock-ms 200 --timeout-ms 300 --at-ms "$AT" --idempotency-key dup-check 2>>"$W/requester.log"
}
D1=$(dup); D2=$(dup)
[[ -n "$D1" && "$D1" == "$D2" ]] && ok "same idempotency key, same request ($D1)" || bad "idempotency: '$D1' vs '$D2'"
"$P" request cancel --coordinator "$URL" --key "$W/requester.key" "$D1" >"$W/out" 2>&1 && is_state "$D1" cancelled &&
  ok "request cancel" || bad "request cancel: $(cat "$W/out")"
for r in "$R1" "$R2"; do
  if wait_for 90 "request $r fulfilled" is_state "$r" fulfilled; then
    [[ "$(request_field "$r" 'j["fulfilled_by"]')" == "$(addr b)" ]] && ok "request $r fulfilled by node b" ||
      bad "request $r fulfilled by someone else"
  else
    bad "request $r not fulfilled (state $(request_field "$r" 'j["state"]'))"
  fi
done
get_and_verify "$R1" black-scholes-1
get_and_verify "$R2" liquidation-4x2
stop_node b

# 2. A node killed after it locked: another node fulfils, the killed one is slashed.
start_node a
R3=$(submit "$LQ" "$W/lq-input.json" 15000 60000) || die "submit (kill scenario)"
# Kill it as soon as it reports proving (the proof takes about a second): poll its log tightly.
end=$(($(now_s) + 20))
until grep -q "proving request $R3 " "$W/node-a.log" || (($(now_s) > end)); do sleep 0.02; done
kill -9 "${NODE_PID[a]}"
wait "${NODE_PID[a]}" 2>/dev/null
if is_holder "$R3" "$(addr a)" && is_state "$R3" locked; then
  ok "node a locked request $R3 and was killed (SIGKILL) mid-proof"
else
  bad "node a was not killed mid-proof (state $(request_field "$R3" 'j["state"]'), holder $(request_field "$R3" 'j["holder"]'))"
fi
start_node b
if wait_for 60 "request $R3 fulfilled" is_state "$R3" fulfilled; then
  [[ "$(request_field "$R3" 'j["fulfilled_by"]')" == "$(addr b)" ]] && ok "request $R3 fulfilled by node b after node a died" ||
    bad "request $R3 fulfilled by $(request_field "$R3" 'j["fulfilled_by"]')"
else
  bad "request $R3 not fulfilled after node a died"
fi
if wait_for 45 "node a slashed" prover_at_least a missed 1; then
  ok "node a slashed for the missed request (record: $(prover_field a "(j['missed'], j['slashed_total'])"))"
else
  bad "node a not slashed: $(cat "$W/acct.json")"
fi
get_and_verify "$R3" "kill scenario"
stop_node b

# 3. A node delivering an invalid proof: rejected, slashed, the request still fulfilled.
start_node c --fault invalid-proof
R4=$(submit "$BS" "$W/bs-input.json" 30000 60000) || die "submit (invalid-proof scenario)"
if wait_for 60 "node c rejected" prover_at_least c invalid 1; then
  ok "node c's tampered proof was rejected and slashed (record: $(prover_field c "(j['invalid'], j['slashed_total'])"))"
else
  bad "node c's invalid proof was not recorded: $(cat "$W/acct.json")"
fi
grep -q "REJECTED" "$W/node-c.log" && ok "node c logged the rejection" || bad "node c did not see the rejection"
stop_node c
start_node b
if wait_for 60 "request $R4 fulfilled" is_state "$R4" fulfilled; then
  [[ "$(request_field "$R4" 'j["fulfilled_by"]')" == "$(addr b)" ]] && ok "request $R4 fulfilled by node b after the invalid proof" ||
    bad "request $R4 fulfilled by $(request_field "$R4" 'j["fulfilled_by"]')"
else
  bad "request $R4 not fulfilled after the invalid proof (state $(request_field "$R4" 'j["state"]'))"
fi
get_and_verify "$R4" "invalid-proof scenario"
stop_node b

# 4. A spike: requests that are open together are locked in one signed batch.
SPIKE=()
for i in 1 2 3; do
  SPIKE+=("$(submit "$LQ" "$W/lq-input.json" 60000 90000)") || die "submit (spike $i)"
done
sleep 2.5  # past the price ramp, so each is worth taking at the node's first look
CAPACITY=3 start_node b
for r in "${SPIKE[@]}"; do
  if wait_for 90 "request $r fulfilled" is_state "$r" fulfilled; then
    [[ "$(request_field "$r" 'j["fulfilled_by"]')" == "$(addr b)" ]] && ok "spike: request $r fulfilled by node b" ||
      bad "spike: request $r fulfilled by $(request_field "$r" 'j["fulfilled_by"]')"
  else
    bad "spike: request $r not fulfilled (state $(request_field "$r" 'j["state"]'))"
  fi
done
grep -q "(in a batch of 3)" "$W/node-b.log" && ok "node b reports the three locks as one batch" ||
  bad "node b did not lock in a batch: $(grep 'locked request' "$W/node-b.log" | tail -n 3)"
# The coordinator's own record: the three lock commands carry one signature's nonce.
locks_per_nonce=$(python3 - "$W/coord/coordinator.db" "$(addr b)" "${SPIKE[@]}" <<'PY'
import json, sqlite3, sys
db, prover, ids = sys.argv[1], sys.argv[2].lower(), {int(x) for x in sys.argv[3:]}
nonces = {}
for command, signer, nonce in sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
        "SELECT command, signer, nonce FROM commands"):
    c = json.loads(command)
    if c.get("type") == "lock" and c.get("request_id") in ids and signer.lower() == prover:
        nonces.setdefault(nonce, set()).add(c["request_id"])
print(max((len(v) for v in nonces.values()), default=0))
PY
)
[[ "$locks_per_nonce" == 3 ]] && ok "the coordinator logged the three locks under one signed batch" ||
  bad "locks per signed action: '$locks_per_nonce' (expected 3)"
stop_node b

echo "network end to end: $pass passed, $fail failed in $(($(now_s) - t0)) s"
if ((fail > 0)); then
  for f in "$W"/*.log; do echo "--- $f"; tail -n 30 "$f"; done
  exit 1
fi
