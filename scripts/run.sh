#!/usr/bin/env bash
# The main job, for now: prove a bundled example circuit end to end. A circom circuit is compiled,
# set up with snarkjs on a locally made powers of tau, its witness computed, then provernet proves
# it and both provernet and snarkjs verify the proof.
#
# Usage: scripts/run.sh   (BUILD_DIR overrides ./build; WORK_DIR overrides ./build/example)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
WORK_DIR="${WORK_DIR:-$BUILD_DIR/example}"

"$ROOT/scripts/setup.sh"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target provernet
PROVERNET="$BUILD_DIR/src/cli/provernet"
SNARKJS="$ROOT/tools/node_modules/.bin/snarkjs"

CIRCUIT="${CIRCUIT:-poseidon_chain}"
echo "== fixtures for $CIRCUIT (circom compile, snarkjs setup; cached after the first run)"
"$ROOT/src/snark/interop/make_fixtures.sh" "$WORK_DIR" "$CIRCUIT"

DIR="$WORK_DIR/$CIRCUIT"
echo "== $CIRCUIT"
"$PROVERNET" info "$DIR/circuit.zkey"
echo "== provernet prove"
start=$(date +%s%N)
"$PROVERNET" prove "$DIR/circuit.zkey" "$DIR/circuit.wtns" "$DIR/proof.json" "$DIR/public.json"
end=$(date +%s%N)
echo "proved in $(( (end - start) / 1000000 )) ms"
echo "== provernet verify"
"$PROVERNET" verify "$DIR/verification_key.json" "$DIR/public.json" "$DIR/proof.json"
echo "== snarkjs groth16 verify"
"$SNARKJS" groth16 verify "$DIR/verification_key.json" "$DIR/public.json" "$DIR/proof.json"
echo "proof: $DIR/proof.json  public signals: $DIR/public.json"
