#!/usr/bin/env bash
# provernet demo --evm end to end: the demo starts anvil, deploys the market and the verifiers,
# runs a coordinator in EVM mode and prover nodes, submits the requests on chain and kills a node
# mid-proof. Asserted from its output and its kept working directory:
#   - every request settled (paid, or fulfilled by a secondary), none expired or refunded;
#   - the killed node slashed on chain (a ProverSlashed event naming it) and in the mirror;
#   - the on-chain balances printed for every prover, the requester and the keeper, each equal to
#     the coordinator's mirror; money conserved; no request paid twice; no mirror divergence;
#   - the anvil block and gas summary; a proof taken from a fulfil transaction verifies;
#   - deployment.json names the market the demo printed;
#   - an anvil that is not there fails at once, naming the path.
#
# Usage: src/cli/demo_evm_test.sh PROVERNET_BIN ANVIL_BIN
set -uo pipefail
P="$1"
ANVIL="$2"
if [[ ! -x "$ANVIL" ]]; then
  # A missing anvil is a broken setup (scripts/setup.sh installs it), not a reason to pass.
  [[ "${PROVERNET_SKIP_EVM_TESTS:-}" == 1 ]] && { echo "SKIP: anvil not found; PROVERNET_SKIP_EVM_TESTS=1"; exit 0; }
  echo "FAIL: anvil not found at $ANVIL (scripts/setup.sh runs npm ci in tools/; PROVERNET_SKIP_EVM_TESTS=1 skips)" >&2
  exit 1
fi
export PROVERNET_ANVIL="$ANVIL"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/provernet-demo-evm.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

pass=0
fail=0
ok()  { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
check() { local name="$1"; shift; if "$@"; then ok "$name"; else bad "$name" "$*"; fi; }
has() { grep -qE -- "$1" "$OUT"; }
lacks() { ! grep -qE -- "$1" <<<"$2"; }  # PATTERN TEXT

# --- a missing anvil: refused before anything starts ---------------------------------------------
start=$SECONDS
PROVERNET_ANVIL="$WORK/no-anvil" timeout 60 "$P" demo --evm --dir "$WORK/none" >"$WORK/none.out" 2>&1
rc=$?
check "missing anvil: non-zero exit" [ "$rc" != 0 -a "$rc" -lt 124 ]
check "missing anvil: names the path" grep -qF "$WORK/no-anvil" "$WORK/none.out"
check "missing anvil: fails at once" [ $((SECONDS - start)) -lt 30 ]
check "missing anvil: no coordinator started" [ ! -e "$WORK/none/coord" ]

# --- the demo -----------------------------------------------------------------------------------
OUT="$WORK/demo.out"
start=$SECONDS
timeout 300 "$P" demo --evm --nodes 3 --dir "$WORK/demo" >"$OUT" 2>&1
rc=$?
echo "demo --evm: exit $rc in $((SECONDS - start)) s"
if (( rc != 0 )); then
  bad "demo --evm exits 0" "exit $rc"
  tail -60 "$OUT"
  for f in coordinator.log node-1.log node-2.log node-3.log deploy.log; do
    [[ -f "$WORK/demo/$f" ]] && { echo "--- $f"; tail -15 "$WORK/demo/$f"; }
  done
  echo "$pass passed, $fail failed"
  exit 1
fi
ok "demo --evm exits 0"
check "says demo passed" has "^demo passed in [0-9]+ s$"
check "deployed the market" has "deployed ProverMarket 0x[0-9a-fA-F]{40} from dev key 0"
check "coordinator in evm mode" has "coordinator at http://127\.0\.0\.1:[0-9]+ \(settlement evm"
check "8 requests submitted on chain" [ "$(grep -c '^\[.*\] submitted on chain: ' "$OUT")" == 8 ]
check "8 requests indexed by the coordinator" [ "$(grep -c 'indexed by the coordinator: chain id 0x' "$OUT")" == 8 ]

# Requests table: 8 rows, each paid or fulfilled by a secondary.
ROWS="$(sed -n '/^Requests$/,/^$/p' "$OUT" | grep -E '^ +[0-9]+  ')"
check "8 rows in the requests table" [ "$(grep -c . <<<"$ROWS")" == 8 ]
check "every request settled" [ "$(grep -cE '  (paid|fulfilled by secondary)' <<<"$ROWS")" == 8 ]
check "none expired or refunded" lacks 'expired|refunded' "$ROWS"

# The killed node: slashed in the mirror and on chain.
VICTIM="$(sed -nE 's/.*\*\*\* (node-[0-9]+) killed \(SIGKILL\) mid-proof of request [0-9]+.*/\1/p' "$OUT" | head -1)"
check "a node was killed mid-proof" [ -n "$VICTIM" ]
check "victim's request taken over" has "fulfilled by secondary \+ bounty \($VICTIM slashed\)"
check "victim slashed (follow)" has "\*\*\* $VICTIM slashed: [1-9][0-9]* collateral"
VROW="$(grep -E "^$VICTIM\* " "$OUT" | head -1)"
read -r _ _ _ MISSED _ _ SLASHED <<<"$VROW"
check "provers table: victim missed >= 1" [ "${MISSED:-0}" -ge 1 ]
check "provers table: victim slashed > 0" [ "${SLASHED:-0}" -gt 0 ]
check "ProverSlashed event names the victim" has "^ProverSlashed: $VICTIM on request [0-9]+: collateral [1-9]"

# On-chain balances: every account printed, each the same as the coordinator's mirror.
CHAIN="$(sed -n '/^On chain (ProverMarket/,/^$/p' "$OUT")"
check "on-chain table printed" grep -qE "^On chain \(ProverMarket 0x[0-9a-fA-F]{40}, block [0-9]+" <<<"$CHAIN"
for who in node-1 node-2 node-3 requester keeper; do
  check "on-chain row $who = mirror" grep -qE "^$who\*? +0x[0-9a-fA-F]{4}\.\.[0-9a-fA-F]{4} +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+  same$" <<<"$CHAIN"
done
check "winners hold earnings on chain" grep -qE "^node-[0-9] +0x[0-9a-fA-F.]+ +[1-9][0-9]* " <<<"$CHAIN"
check "check: conserved" has "^check: the market holds [0-9]+ = accounts [0-9]+ \+ escrow 0 \+ burned [1-9][0-9]* \(conserved\)"
check "check: no request paid twice" has "8 fulfilments for 8 fulfilled requests \(no request paid twice\)"
check "check: mirror = chain, no divergence" has "mirror accounts = chain, 0 divergences$"
check "no MISMATCH" lacks 'MISMATCH|DIFFER|NOT slashed' "$(cat "$OUT")"

# Anvil's block and gas.
check "anvil block and gas" has "^anvil: block [1-9][0-9]*, [1-9][0-9]* transactions, [0-9,]+ gas in all$"
check "gas: 8 submitRequest" has "^submitRequest +8 +[0-9,]+ +[0-9,]+"
check "gas: contract creations" has "^create +5 "
check "gas: fulfil transactions" has "^fulfill +[0-9]+ "
check "proof from a fulfil transaction verifies" has "^OK: proof of request [0-9]+ .*from its fulfil transaction 0x[0-9a-f]+\.\.\) verifies"

# The kept working directory: deployment.json names the printed market.
MARKET="$(sed -nE 's/.*deployed ProverMarket (0x[0-9a-fA-F]{40}) .*/\1/p' "$OUT")"
check "deployment.json names the market" \
  [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["market"])' "$WORK/demo/deployment.json")" == "$MARKET" ]
check "deployment.json: 4 circuits" \
  [ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["circuits"]))' "$WORK/demo/deployment.json")" == 4 ]

echo "$pass passed, $fail failed"
(( fail == 0 ))
