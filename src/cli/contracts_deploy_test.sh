#!/usr/bin/env bash
# provernet contracts deploy against a real anvil:
#   - a deployment with one circuit: deployment.json's fields, code at both addresses (eth_getCode),
#     the registered circuit id = the identity `provernet circuit info --zkey` prints;
#   - a re-run sends nothing (same nonce, same journal, same addresses);
#   - a re-run with one more --circuit deploys and registers only that one (two transactions);
#   - a run killed while its market creation is unmined resumes: the journaled transaction is
#     adopted, not sent again;
#   - contracts show reads the config and the circuit back from chain;
#   - a --config file (deploy flag names as keys; a command-line flag wins);
#   - errors: unreachable RPC, missing key file, malformed key file, not a zkey, an unfunded key,
#     an unknown config key.
#
# Usage: src/cli/contracts_deploy_test.sh PROVERNET_BIN ANVIL_BIN
set -uo pipefail
P="$1"
ANVIL="$2"
if [[ ! -x "$ANVIL" ]]; then
  # A missing anvil is a broken setup (scripts/setup.sh installs it), not a reason to pass.
  [[ "${PROVERNET_SKIP_EVM_TESTS:-}" == 1 ]] && { echo "SKIP: anvil not found; PROVERNET_SKIP_EVM_TESTS=1"; exit 0; }
  echo "FAIL: anvil not found at $ANVIL (scripts/setup.sh runs npm ci in tools/; PROVERNET_SKIP_EVM_TESTS=1 skips)" >&2
  exit 1
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/provernet-contracts.XXXXXX")"
ANVIL_PID=""
DEPLOY_PID=""
cleanup() {
  [[ -n "$DEPLOY_PID" ]] && kill -9 "$DEPLOY_PID" 2>/dev/null
  [[ -n "$ANVIL_PID" ]] && kill "$ANVIL_PID" 2>/dev/null && wait "$ANVIL_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

pass=0
fail=0
ok()  { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
check() { local name="$1"; shift; if "$@"; then ok "$name"; else bad "$name" "$*"; fi; }

# --- a development key for a small circuit (cached like scripts/lib/keys.sh) -----------------
source "$(dirname "$0")/../../scripts/lib/keys.sh"
ZKEY="$(ensure_key poseidon-preimage)" || { echo "cannot make a zkey"; exit 1; }
IDENTITY="$("$P" circuit info poseidon-preimage --zkey "$ZKEY" | awk '/^identity:/ {print $2}')"
# A second key of the same circuit (a new setup: another verification key and identity).
ZKEY2="$WORK/second.zkey"
"$P" setup poseidon-preimage "$(ensure_ptau 9)" "$ZKEY2" >/dev/null 2>&1 || { echo "setup failed"; exit 1; }

# --- anvil on a free port ------------------------------------------------------------------
"$ANVIL" --port 0 >"$WORK/anvil.log" 2>&1 &
ANVIL_PID=$!
for _ in $(seq 100); do
  grep -q "Listening on" "$WORK/anvil.log" && break
  sleep 0.2
done
RPC="http://$(awk '/Listening on/ {print $3}' "$WORK/anvil.log")"
[[ "$RPC" == http://127.0.0.1:* ]] || { echo "anvil did not start: $(tail -5 "$WORK/anvil.log")"; exit 1; }

rpc() {  # rpc METHOD PARAMS_JSON -> result (JSON text)
  curl -s -X POST -H 'Content-Type: application/json' \
    --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$RPC" |
    python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["result"]))'
}
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"d": d}))' "$@"; }
has_code() { [[ "$(rpc eth_getCode "[\"$1\",\"latest\"]")" != '"0x"' ]]; }
DEPLOYER=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
nonce() { python3 -c 'import sys; print(int(sys.argv[1].strip("\""), 16))' "$(rpc eth_getTransactionCount "[\"$DEPLOYER\",\"latest\"]")"; }

echo 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 >"$WORK/dev.key"
OUT="$WORK/deployment.json"
printf '# market config: the deploy flags by name\nfee-bps = 100\nmin-collateral = "5"\n' >"$WORK/market.toml"

# --- deploy ----------------------------------------------------------------------------------
start=$SECONDS
"$P" contracts deploy --rpc "$RPC" --key "$WORK/dev.key" --out "$OUT" --config "$WORK/market.toml" \
  --circuit "poseidon-preimage=$ZKEY" >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
echo "deploy: $((SECONDS - start)) s"
if (( rc != 0 )); then bad deploy "exit $rc: $(cat "$WORK/stderr")"; echo "$pass passed, $fail failed"; exit 1; fi
ok deploy
MARKET="$(field "$OUT" 'd["market"]')"
VERIFIER="$(field "$OUT" 'd["circuits"][0]["verifier"]')"
check "stdout is the market address" [ "$(cat "$WORK/stdout")" == "$MARKET" ]
check "chain_id" [ "$(field "$OUT" 'd["chain_id"]')" == 31337 ]
check "rpc" [ "$(field "$OUT" 'd["rpc"]')" == "$RPC" ]
check "deployer" [ "$(field "$OUT" 'd["deployer"]')" == "$DEPLOYER" ]
check "block" [ "$(field "$OUT" 'd["block"] >= 1')" == True ]
check "one circuit" [ "$(field "$OUT" 'len(d["circuits"])')" == 1 ]
check "program" [ "$(field "$OUT" 'd["circuits"][0]["program"]')" == poseidon-preimage ]
check "identity is circuit info's" [ "$(field "$OUT" 'd["circuits"][0]["identity"]')" == "$IDENTITY" ]
check "public inputs" [ "$(field "$OUT" 'd["circuits"][0]["public_inputs"]')" == 1 ]
check "config file applied" [ "$(field "$OUT" 'd["config"]["min_collateral"]')" == 5 ]
check "no pending creation left" [ "$(field "$OUT" '"pending" in d')" == False ]
check "market has code" has_code "$MARKET"
check "verifier has code" has_code "$VERIFIER"
check "progress names gas and tx" grep -q "ProverMarket: $MARKET  gas [0-9]*  tx 0x" "$WORK/stderr"
# circuitOf(identity) read from chain by contracts show: the verifier, 1 public input.
SHOW="$("$P" contracts show --rpc "$RPC" --deployment "$OUT" 2>&1)"
check "show: fee bps from chain" grep -q "fee bps: *100$" <<<"$SHOW"
check "show: circuit registered with the verifier" \
  grep -qi "id 0x$IDENTITY  verifier $VERIFIER  public inputs 1" <<<"$SHOW"

# --- re-run: nothing sent ----------------------------------------------------------------------
N0="$(nonce)"
J0="$(wc -l <"$OUT.txs")"
"$P" contracts deploy --rpc "$RPC" --key "$WORK/dev.key" --out "$OUT" --config "$WORK/market.toml" \
  --circuit "poseidon-preimage=$ZKEY" >"$WORK/stdout" 2>"$WORK/stderr"
check "re-run exits 0" [ $? == 0 ]
check "re-run sends nothing (nonce)" [ "$(nonce)" == "$N0" ]
check "re-run signs nothing (journal)" [ "$(wc -l <"$OUT.txs")" == "$J0" ]
check "re-run keeps the market" [ "$(field "$OUT" 'd["market"]')" == "$MARKET" ]
check "re-run keeps the verifier" [ "$(field "$OUT" 'd["circuits"][0]["verifier"]')" == "$VERIFIER" ]
check "re-run says already deployed" grep -q "already deployed" "$WORK/stderr"

# A different config for the recorded market is refused (the market is immutable); the flag wins
# over the config file.
"$P" contracts deploy --rpc "$RPC" --key "$WORK/dev.key" --out "$OUT" --config "$WORK/market.toml" --fee-bps 7 >/dev/null 2>"$WORK/stderr"
check "another config refused" [ $? != 0 ]
check "another config: says so" grep -q "another config" "$WORK/stderr"

# --- one more circuit: only it is deployed -------------------------------------------------------
"$P" contracts deploy --rpc "$RPC" --key "$WORK/dev.key" --out "$OUT" --config "$WORK/market.toml" \
  --circuit "poseidon-preimage=$ZKEY" --circuit "second=$ZKEY2" >"$WORK/stdout" 2>"$WORK/stderr"
check "added circuit exits 0" [ $? == 0 ]
check "added circuit: two transactions" [ "$(nonce)" == "$(( N0 + 2 ))" ]
check "added circuit: two circuits" [ "$(field "$OUT" 'len(d["circuits"])')" == 2 ]
check "added circuit: new verifier has code" has_code "$(field "$OUT" 'd["circuits"][1]["verifier"]')"

# --- killed while the market creation is unmined: resumed, not sent twice --------------------------
OUT2="$WORK/interrupted.json"
rpc evm_setAutomine '[false]' >/dev/null
"$P" contracts deploy --rpc "$RPC" --key "$WORK/dev.key" --out "$OUT2" >/dev/null 2>"$WORK/stderr" &
DEPLOY_PID=$!
for _ in $(seq 600); do
  [[ -s "$OUT2.txs" ]] && break
  sleep 0.1
done
sleep 0.5
kill -9 "$DEPLOY_PID" 2>/dev/null; wait "$DEPLOY_PID" 2>/dev/null; DEPLOY_PID=""
PREDICTED="$(field "$OUT2" 'd["pending"]["market"]["address"]')"
N1="$(nonce)"
rpc evm_setAutomine '[true]' >/dev/null
rpc evm_mine '[]' >/dev/null
"$P" contracts deploy --rpc "$RPC" --key "$WORK/dev.key" --out "$OUT2" >"$WORK/stdout" 2>"$WORK/stderr"
check "interrupted run resumes" [ $? == 0 ]
check "resumed: the journaled market is adopted" [ "$(field "$OUT2" 'd["market"]')" == "$PREDICTED" ]
check "resumed: one transaction in all" [ "$(nonce)" == "$(( N1 + 1 ))" ]
check "resumed: journal has one transaction" [ "$(wc -l <"$OUT2.txs")" == 1 ]
check "resumed: says so" grep -q "before the interruption" "$WORK/stderr"

# --- errors ----------------------------------------------------------------------------------------
expect_error() {  # NAME TEXT CMD...: non-zero (no signal) and TEXT on stderr
  local name="$1" text="$2"; shift 2
  timeout 120 "$@" >/dev/null 2>"$WORK/err"
  local rc=$?
  if (( rc == 0 || rc >= 124 )); then bad "$name" "exit $rc"; return; fi
  if grep -qiF -- "$text" "$WORK/err"; then ok "$name"; else bad "$name" "stderr lacks '$text': $(cat "$WORK/err")"; fi
}
expect_error "unreachable RPC names the URL" "http://127.0.0.1:1" \
  "$P" contracts deploy --rpc http://127.0.0.1:1 --key "$WORK/dev.key" --out "$WORK/e1.json"
expect_error "malformed RPC URL named" "not-a-url" \
  "$P" contracts deploy --rpc not-a-url --key "$WORK/dev.key" --out "$WORK/e2.json"
expect_error "missing key file named" "$WORK/none.key" \
  "$P" contracts deploy --rpc "$RPC" --key "$WORK/none.key" --out "$WORK/e3.json"
echo "not a key" >"$WORK/bad.key"
expect_error "malformed key file named" "$WORK/bad.key" \
  "$P" contracts deploy --rpc "$RPC" --key "$WORK/bad.key" --out "$WORK/e4.json"
expect_error "missing zkey named" "$WORK/none.zkey" \
  "$P" contracts deploy --rpc "$RPC" --key "$WORK/dev.key" --out "$WORK/e5.json" --circuit "x=$WORK/none.zkey"
expect_error "not a zkey named" "$WORK/bad.key" \
  "$P" contracts deploy --rpc "$RPC" --key "$WORK/dev.key" --out "$WORK/e6.json" --circuit "x=$WORK/bad.key"
"$P" key new "$WORK/poor.key" >/dev/null
expect_error "unfunded key: the node's message" "insufficient funds" \
  "$P" contracts deploy --rpc "$RPC" --key "$WORK/poor.key" --out "$WORK/e7.json"
echo "fee-bps = 1" >"$WORK/bad.toml"; echo "no-such-key = 1" >>"$WORK/bad.toml"
expect_error "unknown config key named" "no-such-key" \
  "$P" contracts deploy --rpc "$RPC" --key "$WORK/dev.key" --out "$WORK/e8.json" --config "$WORK/bad.toml"
for f in e1 e2 e3 e4 e5 e6 e8; do
  check "$f: nothing written" [ ! -e "$WORK/$f.json" ]
done

echo "$pass passed, $fail failed"
(( fail == 0 ))
