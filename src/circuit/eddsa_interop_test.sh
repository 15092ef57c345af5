#!/usr/bin/env bash
# EdDSA-Poseidon signatures made by provernet, checked by circomlib's own verifier circuit
# (EdDSAPoseidonVerifier, compiled with the pinned circom2): every valid signature must give a
# witness (circom's wasm witness calculator) that snarkjs wtns check accepts, and every tampered
# one (message + 1, S + 1, R8 + B8) must make the witness calculator fail. The key derivation
# (BLAKE2b-512, pruning, A = (s >> 3) B8) is recomputed independently in JavaScript with
# @noble/hashes and BigInt curve arithmetic.
#
# The vectors come from the gtest EddsaInterop.WriteVector (PROVERNET_EDDSA_VECTOR_OUT=DIR).
# Usage: src/circuit/eddsa_interop_test.sh CIRCUIT_TESTS_BIN
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TESTS="${1:?usage: eddsa_interop_test.sh CIRCUIT_TESTS_BIN}"
TOOLS="${PROVERNET_TOOLS:-$ROOT/tools}"
TOOLS="$(cd "$TOOLS" && pwd)"
CIRCOM="$TOOLS/node_modules/.bin/circom2"
SNARKJS="$TOOLS/node_modules/.bin/snarkjs"
CIRCOMLIB="$TOOLS/node_modules/circomlib/circuits"
for tool in "$CIRCOM" "$SNARKJS" "$CIRCOMLIB/eddsaposeidon.circom"; do
  [[ -e "$tool" ]] || { echo "FAIL missing $tool: run scripts/setup.sh (or npm ci --prefix tools)"; exit 1; }
done
WORK="$(mktemp -d "${TMPDIR:-/tmp}/provernet-eddsa.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }

# 1. Vectors.
if PROVERNET_EDDSA_VECTOR_OUT="$WORK/vectors" "$TESTS" --gtest_filter='EddsaInterop.WriteVector' \
     >"$WORK/gtest.log" 2>&1 && ls "$WORK"/vectors/valid_*.json >/dev/null 2>&1; then
  ok "vectors written ($(ls "$WORK/vectors" | wc -l) files)"
else
  ko "writing vectors: $(tail -c 600 "$WORK/gtest.log")"
  exit 1
fi

# 2. Key derivation recomputed in JavaScript.
if node - "$WORK/vectors/keys.json" "$TOOLS/node_modules/@noble/hashes/blake2b.js" >"$WORK/keys.log" 2>&1 <<'EOF'
const fs = require("fs");
const { blake2b } = require(process.argv[3]);
const p = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const a = 168700n, d = 168696n;
const B8 = [5299619240641551281634865583518297030282874472190772894086521144482721001553n,
            16950150798460657717958625567821834550301663161624707787222815936182638968203n];
const mod = (x) => ((x % p) + p) % p;
function pow(x, e) { let r = 1n; x = mod(x); for (; e > 0n; e >>= 1n, x = x * x % p) if (e & 1n) r = r * x % p; return r; }
const inv = (x) => pow(x, p - 2n);
function add([x1, y1], [x2, y2]) {
  const t = mod(d * x1 * x2 * y1 * y2);
  return [mod((x1 * y2 + y1 * x2) * inv(1n + t)), mod((y1 * y2 - a * x1 * x2) * inv(1n - t))];
}
function mul(P, k) { let R = [0n, 1n]; for (; k > 0n; k >>= 1n, P = add(P, P)) if (k & 1n) R = add(R, P); return R; }
let bad = 0;
for (const key of JSON.parse(fs.readFileSync(process.argv[2], "utf8"))) {
  const h = blake2b(Buffer.from(key.sk, "hex"), { dkLen: 64 });
  const s = Buffer.from(h.slice(0, 32));
  s[0] &= 0xf8; s[31] &= 0x7f; s[31] |= 0x40;
  const scalar = BigInt("0x" + Buffer.from(s).reverse().toString("hex"));
  const A = mul(B8, scalar >> 3n);
  const same = A[0] === BigInt(key.Ax) && A[1] === BigInt(key.Ay);
  console.log(`${key.sk.slice(0, 16)}...: ${same ? "same public key" : "DIFFERENT public key"}`);
  if (!same) bad++;
}
process.exit(bad ? 1 : 0);
EOF
then ok "key derivation matches an independent JavaScript computation ($(grep -c 'same public key' "$WORK/keys.log") keys)"
else ko "key derivation: $(cat "$WORK/keys.log")"
fi

# 3. circomlib's verifier.
cat >"$WORK/eddsa_main.circom" <<'EOF'
pragma circom 2.0.0;
include "eddsaposeidon.circom";
component main = EdDSAPoseidonVerifier();
EOF
# circom2 (wasm under WASI) wants absolute paths, run from / (as src/snark/interop/common.sh).
if (cd / && "$CIRCOM" "$WORK/eddsa_main.circom" --r1cs --wasm --O2 -l "$CIRCOMLIB" -o "$WORK") >"$WORK/circom.log" 2>&1; then
  ok "circom2 compiles EdDSAPoseidonVerifier ($(grep -i 'non-linear constraints' "$WORK/circom.log" | tr -s ' '))"
else
  ko "circom2 compile: $(tail -c 600 "$WORK/circom.log")"
  echo "$pass passed, $fail failed"; exit 1
fi
JS="$WORK/eddsa_main_js"

for f in "$WORK"/vectors/valid_*.json; do
  name="$(basename "$f" .json)"
  if node "$JS/generate_witness.js" "$JS/eddsa_main.wasm" "$f" "$WORK/$name.wtns" >"$WORK/$name.log" 2>&1 \
     && "$SNARKJS" wtns check "$WORK/eddsa_main.r1cs" "$WORK/$name.wtns" >"$WORK/$name.check" 2>&1 \
     && grep -q 'WITNESS IS CORRECT' "$WORK/$name.check"; then
    ok "$name: circomlib accepts our signature (snarkjs wtns check)"
  else
    ko "$name: $(tail -c 400 "$WORK/$name.log" "$WORK/$name.check" 2>/dev/null)"
  fi
done
for f in "$WORK"/vectors/invalid_*.json; do
  name="$(basename "$f" .json)"
  if node "$JS/generate_witness.js" "$JS/eddsa_main.wasm" "$f" "$WORK/$name.wtns" >"$WORK/$name.log" 2>&1; then
    ko "$name: circomlib accepted a tampered signature"
  elif grep -q 'Assert Failed' "$WORK/$name.log"; then
    ok "$name: circomlib rejects the tampered signature"
  else
    ko "$name: witness calculator failed for another reason: $(tail -c 400 "$WORK/$name.log")"
  fi
done

echo "$pass passed, $fail failed"
(( fail == 0 ))
