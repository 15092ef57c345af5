#!/usr/bin/env bash
# Poseidon(2) side by side: constraints (circomlib compiled by circom --O1 and --O2 against our
# gadget) and witness time (circom's generated wasm witness calculator, per calculateWitness call
# after warm-up, against our gadget in witness-only mode and the native hash).
#
# Usage: bench/poseidon_vs_circom.sh [BUILD_DIR]   (needs scripts/setup.sh and a Release build)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-$ROOT/build}"
CIRCOM="$ROOT/tools/node_modules/.bin/circom2"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/provernet-poseidon.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

cat >"$WORK/p2.circom" <<'CIRCOM'
pragma circom 2.0.0;
include "circomlib/circuits/poseidon.circom";
component main = Poseidon(2);
CIRCOM
cat >"$WORK/time_wc.js" <<'JS'
const fs = require("fs");
const builder = require(process.argv[2] + "/witness_calculator.js");
const n = 3000;
(async () => {
  const wc = await builder(fs.readFileSync(process.argv[3]));
  for (let i = 0; i < 100; i++) await wc.calculateWitness({inputs: [i, i + 1]}, true);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await wc.calculateWitness({inputs: [i, 2 * i + 1]}, true);
  console.log((Number(process.hrtime.bigint() - t0) / 1000 / n).toFixed(1));
})();
JS
# circom2 (wasm) wants absolute paths and no '..' in include paths: run it from /.
for opt in O1 O2; do
  mkdir -p "$WORK/$opt"
  (cd / && "$CIRCOM" "$WORK/p2.circom" --r1cs --wasm "--$opt" -l "$ROOT/tools/node_modules" -o "$WORK/$opt" >/dev/null)
  constraints=$("$BUILD/src/cli/provernet" info "$WORK/$opt/p2.r1cs" | awk '/^  constraints:/ {print $2}')
  us=$(node "$WORK/time_wc.js" "$WORK/$opt/p2_js" "$WORK/$opt/p2_js/p2.wasm")
  echo "| circomlib Poseidon(2), circom --$opt, wasm witness calculator | $constraints | $us |"
done
bench_us() {  # Google Benchmark's CPU time of one case, in µs
  "$BUILD/src/circuit/circuit_bench" --benchmark_filter="$1" 2>/dev/null |
    awk '$1 ~ /^BM_/ {printf "%.1f\n", ($5 == "ns" ? $4 / 1000 : $4)}' | head -1
}
echo "| provernet gadget, witness-only mode | 240 | $(bench_us 'BM_PoseidonGadget/witness_only:1/inputs:2$') |"
echo "| provernet native hash (no circuit) | - | $(bench_us 'BM_PoseidonNative/inputs:2$') |"
