#!/usr/bin/env bash
# The main job, for now: a built-in circuit proved end to end with provernet alone, then checked
# by snarkjs. Development powers of tau (`ptau new`), phase-2 setup, native witness generation,
# proof, verification by provernet and by snarkjs.
#
# Usage: scripts/run.sh   (BUILD_DIR overrides ./build, WORK_DIR ./build/example,
#                          CIRCUIT the built-in circuit, default merkle-membership-20)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
WORK_DIR="${WORK_DIR:-$BUILD_DIR/example}"
CIRCUIT="${CIRCUIT:-merkle-membership-20}"

"$ROOT/scripts/setup.sh"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target provernet
P="$BUILD_DIR/src/cli/provernet"
SNARKJS="$ROOT/tools/node_modules/.bin/snarkjs"
mkdir -p "$WORK_DIR"
cd "$WORK_DIR"

echo "== the circuit"
"$P" circuit info "$CIRCUIT"
"$P" circuit example "$CIRCUIT" >input.json
echo "== powers of tau (single party: development only)"
[[ -f pot13.ptau ]] || "$P" ptau new 13 pot13.ptau
echo "== setup"
"$P" setup "$CIRCUIT" pot13.ptau circuit.zkey
"$P" zkey export-vk circuit.zkey verification_key.json
echo "== witness (native) and proof"
"$P" witness "$CIRCUIT" input.json circuit.wtns
"$P" prove --timings circuit.zkey circuit.wtns proof.json public.json
echo "== provernet verify"
"$P" verify verification_key.json public.json proof.json
echo "== snarkjs groth16 verify"
"$SNARKJS" groth16 verify verification_key.json public.json proof.json
echo "files in $WORK_DIR: input.json circuit.zkey verification_key.json proof.json public.json"
