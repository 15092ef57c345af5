#!/usr/bin/env bash
# snarkjs cross-check of provernet's development setup: `ptau new` and `setup`.
#
# Usage: src/snark/interop/setup_interop_test.sh PROVERNET_BIN FIXTURE_DIR [CIRCUIT...]
#
# PROVERNET_BIN must provide `ptau new <power> <out.ptau>` and
# `setup <circuit.r1cs> <pot.ptau> <circuit.zkey>` (and, optionally, `prove`).
# FIXTURE_DIR is what make_fixtures.sh wrote (circuit.r1cs and circuit.wtns per circuit).
#   - a small ptau (power 8): `snarkjs powersoftau verify` accepts it; `snarkjs powersoftau
#     prepare phase2` on it reproduces the file byte for byte (our Lagrange sections are
#     snarkjs's); copies with one flipped byte in the contribution, tauG2, a Lagrange section
#     or the contribution hash are rejected (so the check has teeth);
#   - a ptau of the largest domain among the circuits: `snarkjs powersoftau verify` accepts it;
#   - per circuit: `provernet setup` with it; `snarkjs zkey verify` accepts the key (it rebuilds
#     snarkjs's own initial key from the r1cs and ptau, requires equal sections and circuit hash,
#     and checks the contribution); snarkjs proves with it and verifies the proof (so does
#     provernet's prover when the binary has `prove`); the key does not verify against another
#     circuit's r1cs.
#   - with SETUP_INTEROP_LARGE=1 also a circom chain of 20000 constraints (domain 2^15) with a
#     ptau of exactly that power: the case where snarkjs's circuit hash reads past the tauG1
#     section (slow: a few minutes).
# Prints PASS/FAIL per case and ends with 'N passed, M failed'; exits non-zero on any failure.
# Environment: SNARKJS (default tools/node_modules/.bin/snarkjs), CIRCOM (tools/.../circom2, for
# the large case), KEEP_TMP=1 keeps the work dir.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
SNARKJS="${SNARKJS:-$ROOT/tools/node_modules/.bin/snarkjs}"
CIRCOM="${CIRCOM:-$ROOT/tools/node_modules/.bin/circom2}"

if (( $# < 2 )); then
  sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
PROVERNET="$1"
FIXTURES="$2"
shift 2

[[ "$PROVERNET" == */* ]] && PROVERNET="$(cd "$(dirname "$PROVERNET")" && pwd)/$(basename "$PROVERNET")"
[[ -x "$PROVERNET" ]] || { echo "setup_interop_test.sh: provernet binary not executable: $PROVERNET" >&2; exit 2; }
[[ -x "$SNARKJS" ]] || { echo "setup_interop_test.sh: snarkjs not found at $SNARKJS (run scripts/setup.sh)" >&2; exit 2; }
[[ -d "$FIXTURES" ]] || { echo "setup_interop_test.sh: no fixture dir $FIXTURES (run make_fixtures.sh)" >&2; exit 2; }
FIXTURES="$(cd "$FIXTURES" && pwd)"

if (( $# )); then
  circuits=("$@")
elif [[ -f "$FIXTURES/circuits.txt" ]]; then
  mapfile -t circuits < "$FIXTURES/circuits.txt"
else
  circuits=()
  for d in "$FIXTURES"/*/; do [[ -f "$d/circuit.r1cs" ]] && circuits+=("$(basename "$d")"); done
fi
(( ${#circuits[@]} )) || { echo "setup_interop_test.sh: no circuits in $FIXTURES" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/provernet-setup-interop.XXXXXX")"
if [[ "${KEEP_TMP:-0}" == 1 ]]; then
  echo "work dir: $WORK"
else
  trap 'rm -rf "$WORK"' EXIT
fi

pass=0
fail=0
failed_cases=()
report() { # report STATUS NAME [DETAIL]
  if [[ "$1" == PASS ]]; then
    pass=$(( pass + 1 )); printf 'PASS  %s\n' "$2"
  else
    fail=$(( fail + 1 )); failed_cases+=("$2"); printf 'FAIL  %s%s\n' "$2" "${3:+  -- $3}"
  fi
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
tail_of() { tail -n "${2:-5}" "$1" | tr '\n' ' ' | cut -c1-300; }

# snarkjs_ok LOG MARKER CMD...: runs snarkjs, true when it exits 0, prints MARKER and logs no [ERROR]
# (snarkjs sometimes logs an error and still exits 0).
snarkjs_ok() {
  local log="$1" marker="$2"; shift 2
  "$SNARKJS" "$@" > "$log" 2>&1 && grep -q "$marker" "$log" && ! grep -q '\[ERROR\]' "$log"
}

# flip FILE OFFSET OUT: copy of FILE with the byte at OFFSET inverted.
flip() {
  node -e '
    const fs = require("fs");
    const b = fs.readFileSync(process.argv[1]);
    const at = Number(process.argv[2]);
    b[at] ^= 0xff;
    fs.writeFileSync(process.argv[3], b);
  ' "$1" "$2" "$3"
}

# section_offset FILE TYPE [DELTA]: file offset of section TYPE's payload (plus DELTA).
section_offset() {
  node -e '
    const b = require("fs").readFileSync(process.argv[1]);
    let off = 12;
    for (let i = 0; i < b.readUInt32LE(8); i++) {
      const type = b.readUInt32LE(off), size = Number(b.readBigUInt64LE(off + 4));
      if (type === Number(process.argv[2])) { console.log(off + 12 + Number(process.argv[3] || 0)); process.exit(0); }
      off += 12 + size;
    }
    process.exit(1);
  ' "$1" "$2" "${3:-0}"
}

domain_power() { # domain_power R1CS: snarkjs's cirPower = floor(log2(nConstraints + nPublic)) + 1
  node -e '
    const b = require("fs").readFileSync(process.argv[1]);
    let off = 12;
    for (let i = 0; i < b.readUInt32LE(8); i++) {
      const type = b.readUInt32LE(off), size = Number(b.readBigUInt64LE(off + 4)), p = off + 12;
      if (type === 1) {
        const q = p + 4 + b.readUInt32LE(p);
        const rows = b.readUInt32LE(q + 24) + b.readUInt32LE(q + 4) + b.readUInt32LE(q + 8);
        console.log(rows === 0 ? 1 : Math.floor(Math.log2(rows)) + 1);
        process.exit(0);
      }
      off = p + size;
    }
    process.exit(1);
  ' "$1"
}

echo "provernet: $PROVERNET"
echo "snarkjs:   $SNARKJS"
echo "fixtures:  $FIXTURES (${#circuits[@]} circuits)"

# ------------------------------------------------------------------ a small ptau, in detail
echo "=== ptau new 8"
small="$WORK/pot8.ptau"
t0=$(now)
if "$PROVERNET" ptau new 8 "$small" > "$WORK/ptau8.log" 2>&1 && [[ -s "$small" ]]; then
  report PASS "ptau new 8 ($(since "$t0")s)"
else
  report FAIL "ptau new 8" "$(tail_of "$WORK/ptau8.log")"
fi
if [[ -s "$small" ]]; then
  if snarkjs_ok "$WORK/verify8.log" 'Powers of Tau Ok!' powersoftau verify "$small"; then
    report PASS "snarkjs powersoftau verify (power 8)"
  else
    report FAIL "snarkjs powersoftau verify (power 8)" "$(tail_of "$WORK/verify8.log")"
  fi
  if "$SNARKJS" powersoftau prepare phase2 "$small" "$WORK/pot8_sj.ptau" > "$WORK/prepare8.log" 2>&1 \
     && cmp -s "$small" "$WORK/pot8_sj.ptau"; then
    report PASS "snarkjs prepare phase2 reproduces the file byte for byte"
  else
    report FAIL "snarkjs prepare phase2 reproduces the file byte for byte" "$(cmp "$small" "$WORK/pot8_sj.ptau" 2>&1)"
  fi
  # One flipped byte anywhere that matters must be caught. Section 7 holds a u32 count, then
  # 5 points (448 bytes), the key (768 bytes), the partial hash (216) and the next challenge
  # hash (64): offsets 460, 1300 and 1446 fall in the key, the partial hash and that hash.
  for what in "contribution key:7:460" "tauG2:3:8200" "lagrange alphaTauG1:14:20000" "partial hash:7:1300" "next challenge hash:7:1446"; do
    IFS=: read -r name sec delta <<< "$what"
    off="$(section_offset "$small" "$sec" "$delta")"
    flip "$small" "$off" "$WORK/bad.ptau"
    if snarkjs_ok "$WORK/verify_bad.log" 'Powers of Tau Ok!' powersoftau verify "$WORK/bad.ptau"; then
      report FAIL "snarkjs rejects a ptau with a flipped byte in $name"
    else
      report PASS "snarkjs rejects a ptau with a flipped byte in $name"
    fi
  done
fi

# ------------------------------------------------------------------ per circuit
maxp=1
for c in "${circuits[@]}"; do
  [[ -f "$FIXTURES/$c/circuit.r1cs" ]] || continue
  p="$(domain_power "$FIXTURES/$c/circuit.r1cs")"
  (( p > maxp )) && maxp=$p
done
echo "=== ptau new $maxp (the largest circuit domain: some circuits use all of it)"
pot="$WORK/pot$maxp.ptau"
t0=$(now)
if ! "$PROVERNET" ptau new "$maxp" "$pot" > "$WORK/ptau.log" 2>&1; then
  report FAIL "ptau new $maxp" "$(tail_of "$WORK/ptau.log")"
else
  report PASS "ptau new $maxp ($(since "$t0")s)"
  t0=$(now)
  if snarkjs_ok "$WORK/verify.log" 'Powers of Tau Ok!' powersoftau verify "$pot"; then
    report PASS "snarkjs powersoftau verify (power $maxp, $(since "$t0")s)"
  else
    report FAIL "snarkjs powersoftau verify (power $maxp)" "$(tail_of "$WORK/verify.log")"
  fi
fi

has_prove=0
"$PROVERNET" prove --help > /dev/null 2>&1 && has_prove=1

prev=""
for c in "${circuits[@]}"; do
  f="$FIXTURES/$c"
  w="$WORK/$c"
  mkdir -p "$w"
  [[ -f "$f/circuit.r1cs" && -f "$f/circuit.wtns" ]] || { report FAIL "$c: fixture files present"; continue; }
  echo "=== $c (domain 2^$(domain_power "$f/circuit.r1cs"), ptau 2^$maxp)"
  t0=$(now)
  if ! "$PROVERNET" setup "$f/circuit.r1cs" "$pot" "$w/circuit.zkey" > "$w/setup.log" 2>&1; then
    report FAIL "$c: provernet setup" "$(tail_of "$w/setup.log")"
    continue
  fi
  report PASS "$c: provernet setup ($(since "$t0")s)"
  t0=$(now)
  if snarkjs_ok "$w/zkey_verify.log" 'ZKey Ok!' zkey verify "$f/circuit.r1cs" "$pot" "$w/circuit.zkey"; then
    report PASS "$c: snarkjs zkey verify ($(since "$t0")s)"
  else
    report FAIL "$c: snarkjs zkey verify" "$(tail_of "$w/zkey_verify.log")"
  fi
  "$SNARKJS" zkey export verificationkey "$w/circuit.zkey" "$w/vk.json" > "$w/export.log" 2>&1
  if "$SNARKJS" groth16 prove "$w/circuit.zkey" "$f/circuit.wtns" "$w/proof.json" "$w/public.json" > "$w/prove.log" 2>&1 \
     && snarkjs_ok "$w/verify.log" 'OK!' groth16 verify "$w/vk.json" "$w/public.json" "$w/proof.json"; then
    report PASS "$c: snarkjs proves and verifies with the key"
  else
    report FAIL "$c: snarkjs proves and verifies with the key" "$(tail_of "$w/prove.log") $(tail_of "$w/verify.log")"
  fi
  if (( has_prove )); then
    if "$PROVERNET" prove "$w/circuit.zkey" "$f/circuit.wtns" "$w/proof2.json" "$w/public2.json" > "$w/prove2.log" 2>&1 \
       && snarkjs_ok "$w/verify2.log" 'OK!' groth16 verify "$w/vk.json" "$w/public2.json" "$w/proof2.json"; then
      report PASS "$c: provernet proves with the key, snarkjs verifies"
    else
      report FAIL "$c: provernet proves with the key, snarkjs verifies" "$(tail_of "$w/prove2.log") $(tail_of "$w/verify2.log")"
    fi
  fi
  if [[ -n "$prev" ]]; then
    if snarkjs_ok "$w/zkey_verify_other.log" 'ZKey Ok!' zkey verify "$FIXTURES/$prev/circuit.r1cs" "$pot" "$w/circuit.zkey"; then
      report FAIL "$c: snarkjs zkey verify rejects the key against $prev's r1cs"
    else
      report PASS "$c: snarkjs zkey verify rejects the key against $prev's r1cs"
    fi
  fi
  prev="$c"
done

# ------------------------------------------------------------------ optional: domain = ptau size >= 2^15
if [[ "${SETUP_INTEROP_LARGE:-0}" == 1 ]]; then
  echo "=== large: 20000-constraint chain, domain 2^15, ptau 2^15"
  w="$WORK/large"
  mkdir -p "$w"
  cat > "$w/chain.circom" <<'EOF'
pragma circom 2.0.0;
template Chain(n) {
    signal input x;
    signal output y;
    signal t[n + 1];
    t[0] <== x;
    for (var i = 0; i < n; i++) {
        t[i + 1] <== t[i] * t[i] + i;
    }
    y <== t[n];
}
component main = Chain(20000);
EOF
  echo '{"x": "3"}' > "$w/input.json"
  if [[ ! -x "$CIRCOM" ]]; then
    report FAIL "large: circom2 available" "$CIRCOM"
  elif ! (cd / && "$CIRCOM" "$w/chain.circom" --r1cs --wasm -o "$w") > "$w/circom.log" 2>&1; then
    report FAIL "large: circom2 compile" "$(tail_of "$w/circom.log")"
  else
    lp="$(domain_power "$w/chain.r1cs")"
    if "$PROVERNET" ptau new "$lp" "$w/pot.ptau" > "$w/ptau.log" 2>&1 \
       && "$PROVERNET" setup "$w/chain.r1cs" "$w/pot.ptau" "$w/chain.zkey" > "$w/setup.log" 2>&1; then
      report PASS "large: ptau new $lp and setup"
      if snarkjs_ok "$w/zkey_verify.log" 'ZKey Ok!' zkey verify "$w/chain.r1cs" "$w/pot.ptau" "$w/chain.zkey"; then
        report PASS "large: snarkjs zkey verify (domain 2^$lp = ptau size)"
      else
        report FAIL "large: snarkjs zkey verify (domain 2^$lp = ptau size)" "$(tail_of "$w/zkey_verify.log")"
      fi
      if "$SNARKJS" wtns calculate "$w/chain_js/chain.wasm" "$w/input.json" "$w/chain.wtns" > "$w/wtns.log" 2>&1 \
         && "$SNARKJS" zkey export verificationkey "$w/chain.zkey" "$w/vk.json" > /dev/null 2>&1 \
         && "$SNARKJS" groth16 prove "$w/chain.zkey" "$w/chain.wtns" "$w/proof.json" "$w/public.json" > "$w/prove.log" 2>&1 \
         && snarkjs_ok "$w/verify.log" 'OK!' groth16 verify "$w/vk.json" "$w/public.json" "$w/proof.json"; then
        report PASS "large: snarkjs proves and verifies with the key"
      else
        report FAIL "large: snarkjs proves and verifies with the key" "$(tail_of "$w/prove.log") $(tail_of "$w/verify.log")"
      fi
    else
      report FAIL "large: ptau new $lp and setup" "$(tail_of "$w/ptau.log") $(tail_of "$w/setup.log")"
    fi
  fi
fi

echo "$pass passed, $fail failed"
if (( fail )); then
  printf '  failed: %s\n' "${failed_cases[@]}"
  exit 1
fi
