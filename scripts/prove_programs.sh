#!/usr/bin/env bash
# The finance programs proved end to end with provernet alone (no network), each proof then
# checked by snarkjs. For each program: a development key (single-party powers of tau and
# setup, cached in ~/.cache/provernet by structure hash), `provernet run` on its example input
# from examples/ (witness, Groth16 proof, result.json), `snarkjs groth16 verify`.
#
# Usage: scripts/prove_programs.sh [PROGRAM...]   (BUILD_DIR overrides ./build, WORK_DIR ./build/example;
#                                       default: the programs below)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
WORK_DIR="${WORK_DIR:-$BUILD_DIR/example}"
PROGRAMS=("$@")
if [[ ${#PROGRAMS[@]} -eq 0 ]]; then
  PROGRAMS=(black-scholes-16 liquidation-16x4 portfolio-margin-4x4 state-transition-d32-s2-t2)
fi

"$ROOT/scripts/setup.sh"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target provernet
P="$BUILD_DIR/src/cli/provernet"
SNARKJS="$ROOT/tools/node_modules/.bin/snarkjs"
# shellcheck source=lib/keys.sh
source "$ROOT/scripts/lib/keys.sh"
mkdir -p "$WORK_DIR"

for name in "${PROGRAMS[@]}"; do
  echo "== $name"
  "$P" circuit info "$name" | sed -n '1,3p;/public signals/p'
  key=$(ensure_key "$name")
  out="$WORK_DIR/$name"
  "$P" run "$name" "$ROOT/examples/$name.json" --zkey "$key" --out "$out"
  "$P" zkey export-vk "$key" "$out/verification_key.json"
  echo -n "snarkjs groth16 verify: "
  "$SNARKJS" groth16 verify "$out/verification_key.json" "$out/public.json" "$out/proof.json" | tail -1
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(json.dumps(r["result"], indent=1)[:1200])' \
    "$out/result.json"
done
echo "proofs, public signals and results under $WORK_DIR/<program>/"
