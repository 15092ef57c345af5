#!/usr/bin/env bash
# Builds the snarkjs/circom interoperability fixtures for provernet.
#
# Usage: src/snark/interop/make_fixtures.sh [--force] [--ptau FILE] OUTDIR [CIRCUIT...]
#
# For every circuit under src/snark/interop/circuits/ (or just the ones named):
#   OUTDIR/<circuit>/circuit.r1cs            circom2 --r1cs --wasm (--O2, or the flags on a
#                                            '// circom-flags:' line), circomlib from tools/node_modules
#   OUTDIR/<circuit>/circuit.wtns            snarkjs wtns calculate (circom's wasm witness calculator)
#   OUTDIR/<circuit>/circuit.zkey            snarkjs groth16 setup + one zkey contribute (delta != G)
#   OUTDIR/<circuit>/verification_key.json   snarkjs zkey export verificationkey
#   OUTDIR/<circuit>/snarkjs_proof.json      snarkjs groth16 prove
#   OUTDIR/<circuit>/snarkjs_public.json
#   OUTDIR/<circuit>/input.json              the witness input used
#   OUTDIR/<circuit>/info.json               nConstraints, nPublic, nPubOut, nPubIn, nPrvIn, nWires, domainSize, power
# plus OUTDIR/circuits.txt (circuit names, one a line), OUTDIR/timings.txt and
# OUTDIR/.stamp (hash of the inputs).
#
# Powers of tau: made locally with snarkjs (new bn128 P, one contribution, prepare
# phase2), P the smallest power that covers the biggest circuit
# (domainSize = 2^ceil(log2(nConstraints + nPublic + 1))). It is cached in
# ${PROVERNET_CACHE:-$HOME/.cache/provernet}/ptau/ and shared with
# bench/prove_vs_snarkjs.sh; any cached pot<Q>_final.ptau with Q >= P is reused.
# --ptau FILE uses the given (prepared, phase-2) ptau instead.
#
# Caching: when OUTDIR/.stamp matches the hash of the circuit sources and inputs,
# this script and tools/package-lock.json (and every fixture file is present),
# nothing is done. --force rebuilds.
#
# Needs the pinned tools: run scripts/setup.sh (or `npm ci --prefix tools`) first.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
CIRCUITS_DIR="$HERE/circuits"
LOG_TAG=fixtures
# shellcheck source-path=SCRIPTDIR disable=SC2034 source=common.sh
source "$HERE/common.sh"

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

force=0
ptau_arg=""
positional=()
while (( $# )); do
  case "$1" in
    --force) force=1 ;;
    --ptau) shift; (( $# )) || usage; ptau_arg="$1" ;;
    --ptau=*) ptau_arg="${1#--ptau=}" ;;
    -h|--help) usage ;;
    -*) echo "make_fixtures.sh: unknown option $1" >&2; usage ;;
    *) positional+=("$1") ;;
  esac
  shift
done
(( ${#positional[@]} >= 1 )) || usage
OUTDIR="${positional[0]}"
selected=("${positional[@]:1}")

require_tools
[[ -z "$ptau_arg" || -f "$ptau_arg" ]] || { echo "make_fixtures.sh: no such ptau: $ptau_arg" >&2; exit 1; }

# ------------------------------------------------------------------ circuits
circuits=()
if (( ${#selected[@]} )); then
  for c in "${selected[@]}"; do
    [[ -f "$CIRCUITS_DIR/$c.circom" && -f "$CIRCUITS_DIR/$c.input.json" ]] \
      || { echo "make_fixtures.sh: unknown circuit $c (need circuits/$c.circom and circuits/$c.input.json)" >&2; exit 1; }
    circuits+=("$c")
  done
else
  for f in "$CIRCUITS_DIR"/*.circom; do
    c="$(basename "$f" .circom)"
    [[ -f "$CIRCUITS_DIR/$c.input.json" ]] || { echo "make_fixtures.sh: $f has no $c.input.json" >&2; exit 1; }
    circuits+=("$c")
  done
fi

FIXTURE_FILES=(circuit.r1cs circuit.wtns circuit.zkey verification_key.json snarkjs_proof.json snarkjs_public.json info.json)

# ------------------------------------------------------------------ cache check
stamp="$(
  {
    echo "circuits: ${circuits[*]}"
    for c in "${circuits[@]}"; do
      sha256sum "$CIRCUITS_DIR/$c.circom" "$CIRCUITS_DIR/$c.input.json" | cut -d' ' -f1
    done
    sha256sum "$HERE/make_fixtures.sh" "$HERE/common.sh" "$TOOLS/package-lock.json" | cut -d' ' -f1
  } | sha256sum | cut -d' ' -f1
)"

up_to_date() {
  [[ "$(cat "$OUTDIR/.stamp" 2>/dev/null || true)" == "$stamp" ]] || return 1
  local c f
  for c in "${circuits[@]}"; do
    for f in "${FIXTURE_FILES[@]}"; do [[ -s "$OUTDIR/$c/$f" ]] || return 1; done
  done
}

if (( ! force )) && up_to_date; then
  echo "[fixtures] $OUTDIR is up to date (${#circuits[@]} circuits); nothing to do"
  exit 0
fi

mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"
rm -f "$OUTDIR/.stamp"
: > "$OUTDIR/timings.txt"

TIMINGS_FILE="$OUTDIR/timings.txt"
T_START="$(now)"

# ------------------------------------------------------------------ compile + witness
echo "[fixtures] building ${#circuits[@]} circuits into $OUTDIR"
max_power=0
declare -A POWER
for c in "${circuits[@]}"; do
  d="$OUTDIR/$c"
  rm -rf "$d"
  mkdir -p "$d/build"
  cp "$CIRCUITS_DIR/$c.input.json" "$d/input.json"
  # Per-circuit compiler flags: a '// circom-flags: ...' line in the source, else --O2.
  read -r -a cflags < <(sed -n 's|^// circom-flags:[[:space:]]*||p' "$CIRCUITS_DIR/$c.circom" | head -n1) || true
  (( ${#cflags[@]} )) || cflags=(--O2)
  step "$c: circom2 compile (${cflags[*]})" "$d/build/compile.log" \
    run_circom "$CIRCUITS_DIR/$c.circom" --r1cs --wasm "${cflags[@]}" -l "$TOOLS/node_modules" -o "$d/build"
  mv "$d/build/$c.r1cs" "$d/circuit.r1cs"
  step "$c: witness (wasm)" "$d/build/wtns.log" \
    "$SNARKJS" wtns calculate "$d/build/${c}_js/$c.wasm" "$d/input.json" "$d/circuit.wtns"
  step "$c: wtns check" "$d/build/wtns_check.log" \
    "$SNARKJS" wtns check "$d/circuit.r1cs" "$d/circuit.wtns"

  read -r nConstraints nPublic nPubOut nPubIn nPrvIn nWires < <(r1cs_info "$d/circuit.r1cs")
  power="$(domain_power "$nConstraints" "$nPublic")"
  POWER[$c]=$power
  (( power > max_power )) && max_power=$power
  cat > "$d/info.json" <<EOF
{
  "name": "$c",
  "nConstraints": $nConstraints,
  "nPublic": $nPublic,
  "nPubOut": $nPubOut,
  "nPubIn": $nPubIn,
  "nPrvIn": $nPrvIn,
  "nWires": $nWires,
  "domainSize": $(( 1 << power )),
  "power": $power
}
EOF
  echo "[fixtures] $c: $nConstraints constraints, $nPublic public ($nPubOut out + $nPubIn in), $nWires wires, domain 2^$power"
done

# ------------------------------------------------------------------ powers of tau
if [[ -n "$ptau_arg" ]]; then
  PTAU="$ptau_arg"
else
  PTAU="$(find_or_make_ptau "$max_power")"
fi
echo "[fixtures] ptau: $PTAU (need power >= $max_power)"

# ------------------------------------------------------------------ setup, contribute, export, prove
for c in "${circuits[@]}"; do
  d="$OUTDIR/$c"
  step "$c: groth16 setup (2^${POWER[$c]})" "$d/build/setup.log" \
    "$SNARKJS" groth16 setup "$d/circuit.r1cs" "$PTAU" "$d/build/circuit_0000.zkey"
  step "$c: zkey contribute" "$d/build/zkey_contribute.log" \
    "$SNARKJS" zkey contribute "$d/build/circuit_0000.zkey" "$d/circuit.zkey" \
      --name="provernet fixture" -e="provernet fixture entropy $c"
  step "$c: zkey export verificationkey" "$d/build/export_vk.log" \
    "$SNARKJS" zkey export verificationkey "$d/circuit.zkey" "$d/verification_key.json"
  step "$c: groth16 prove (snarkjs)" "$d/build/prove.log" \
    "$SNARKJS" groth16 prove "$d/circuit.zkey" "$d/circuit.wtns" "$d/snarkjs_proof.json" "$d/snarkjs_public.json"
  step "$c: groth16 verify (snarkjs)" "$d/build/verify.log" \
    "$SNARKJS" groth16 verify "$d/verification_key.json" "$d/snarkjs_public.json" "$d/snarkjs_proof.json"
  grep -q 'OK!' "$d/build/verify.log" || { echo "[fixtures] snarkjs did not verify its own proof for $c" >&2; exit 1; }
  # Keep the logs, drop the bulky intermediates (wasm witness calculator, pre-contribution zkey).
  rm -rf "$d/build/${c}_js" "$d/build/circuit_0000.zkey"
done

printf '%s\n' "${circuits[@]}" > "$OUTDIR/circuits.txt"
T_END="$(now)"
total="$(elapsed "$T_START" "$T_END")"
printf 'total\t%s\n' "$total" >> "$OUTDIR/timings.txt"
echo "$stamp" > "$OUTDIR/.stamp"
echo "[fixtures] done: ${#circuits[@]} circuits in ${total}s ($OUTDIR)"
