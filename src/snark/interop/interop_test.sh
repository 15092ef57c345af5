#!/usr/bin/env bash
# snarkjs <-> provernet interoperability test.
#
# Usage: src/snark/interop/interop_test.sh PROVERNET_BIN FIXTURE_DIR [CIRCUIT...]
#
# FIXTURE_DIR is what make_fixtures.sh wrote. For each circuit:
#   - provernet proves (zkey + wtns) and snarkjs verifies that proof;
#     provernet's public.json must equal snarkjs's;
#   - provernet verifies snarkjs's proof (exit 0, prints OK) and its own proof;
#   - tampered proofs / public inputs / a foreign verification key: snarkjs and
#     provernet must both reject (and so agree);
#   - `provernet zkey export-vk` must give JSON equal to snarkjs's verification_key.json;
#   - `provernet info circuit.zkey` must succeed.
# Prints PASS/FAIL per case and ends with 'N passed, M failed'; exits non-zero on any failure.
# Environment: SNARKJS (default tools/node_modules/.bin/snarkjs), KEEP_TMP=1 keeps the work dir.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
SNARKJS="${SNARKJS:-$ROOT/tools/node_modules/.bin/snarkjs}"

if (( $# < 2 )); then
  sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
PROVERNET="$1"
FIXTURES="$2"
shift 2

[[ "$PROVERNET" == */* ]] && PROVERNET="$(cd "$(dirname "$PROVERNET")" && pwd)/$(basename "$PROVERNET")"
[[ -x "$PROVERNET" ]] || { echo "interop_test.sh: provernet binary not executable: $PROVERNET" >&2; exit 2; }
[[ -x "$SNARKJS" ]] || { echo "interop_test.sh: snarkjs not found at $SNARKJS (run scripts/setup.sh)" >&2; exit 2; }
[[ -d "$FIXTURES" ]] || { echo "interop_test.sh: no fixture dir $FIXTURES (run make_fixtures.sh)" >&2; exit 2; }
FIXTURES="$(cd "$FIXTURES" && pwd)"

if (( $# )); then
  circuits=("$@")
elif [[ -f "$FIXTURES/circuits.txt" ]]; then
  mapfile -t circuits < "$FIXTURES/circuits.txt"
else
  circuits=()
  for d in "$FIXTURES"/*/; do [[ -f "$d/circuit.zkey" ]] && circuits+=("$(basename "$d")"); done
fi
(( ${#circuits[@]} )) || { echo "interop_test.sh: no circuits in $FIXTURES" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/provernet-interop.XXXXXX")"
if [[ "${KEEP_TMP:-0}" == 1 ]]; then
  echo "work dir: $WORK"
else
  trap 'rm -rf "$WORK"' EXIT
fi

# ------------------------------------------------------------------ helpers (node, no jq needed)
cat > "$WORK/tamper.js" <<'EOF'
// node tamper.js KIND IN OUT: writes a tampered copy of a proof.json or public.json.
const fs = require("fs");
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const [kind, inFile, outFile] = process.argv.slice(2);
const j = JSON.parse(fs.readFileSync(inFile, "utf8"));
const add = (s, d, m) => (((BigInt(s) + d) % m + m) % m).toString();
switch (kind) {
  case "a_is_c":         j.pi_a = j.pi_c.slice(); break;                 // another valid G1 point
  case "a_x_plus_1":     j.pi_a[0] = add(j.pi_a[0], 1n, Q); break;       // off the curve
  case "c_negated":      j.pi_c[1] = add(0n, -BigInt(j.pi_c[1]), Q); break; // -C: valid point, wrong
  case "a_infinity":     j.pi_a = ["0", "1", "0"]; break;                // the point at infinity
  case "b_x_swapped":    j.pi_b[0] = [j.pi_b[0][1], j.pi_b[0][0]]; break; // off the twist / subgroup
  case "b_y_plus_1":     j.pi_b[1][0] = add(j.pi_b[1][0], 1n, Q); break;
  case "pub0_plus_1":    j[0] = add(j[0], 1n, R); break;
  case "publast_plus_1": j[j.length - 1] = add(j[j.length - 1], 1n, R); break;
  case "pub0_plus_r":    j[0] = (BigInt(j[0]) + R).toString(); break;    // non-canonical (>= r)
  case "pub_extra":      j.push("1"); break;
  case "pub_missing":    j.pop(); break;
  default: throw new Error("unknown tamper kind " + kind);
}
fs.writeFileSync(outFile, JSON.stringify(j, null, 1));
EOF

cat > "$WORK/jsoneq.js" <<'EOF'
// node jsoneq.js A B: exit 0 if the two JSON files are equal (key order ignored), else print the first difference.
const fs = require("fs");
const a = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const b = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
function diff(x, y, path) {
  const tx = Array.isArray(x) ? "array" : x === null ? "null" : typeof x;
  const ty = Array.isArray(y) ? "array" : y === null ? "null" : typeof y;
  if (tx !== ty) return `${path}: ${tx} ${JSON.stringify(x)} vs ${ty} ${JSON.stringify(y)}`;
  if (tx === "array") {
    if (x.length !== y.length) return `${path}: length ${x.length} vs ${y.length}`;
    for (let i = 0; i < x.length; i++) { const d = diff(x[i], y[i], `${path}[${i}]`); if (d) return d; }
    return null;
  }
  if (tx === "object") {
    const kx = Object.keys(x).sort(), ky = Object.keys(y).sort();
    const missing = kx.filter(k => !(k in y)), extra = ky.filter(k => !(k in x));
    if (missing.length || extra.length) return `${path}: keys only in first: [${missing}], only in second: [${extra}]`;
    for (const k of kx) { const d = diff(x[k], y[k], `${path}.${k}`); if (d) return d; }
    return null;
  }
  return x === y ? null : `${path}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`;
}
const d = diff(a, b, "$");
if (d) { console.log(d); process.exit(1); }
EOF

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

# snarkjs_verify VK PUBLIC PROOF LOG: prints accept|reject (OK! on success; anything else is a rejection).
snarkjs_verify() {
  "$SNARKJS" groth16 verify "$1" "$2" "$3" > "$4" 2>&1
  local rc=$?
  if (( rc == 0 )) && grep -q 'OK!' "$4"; then echo accept; else echo reject; fi
}

# provernet_verify VK PUBLIC PROOF LOG: prints accept|reject|crash.
#   accept: exit 0 and an OK line; reject: exit 1..123 and no OK line; anything else is a crash.
provernet_verify() {
  "$PROVERNET" verify "$1" "$2" "$3" > "$4" 2>&1
  local rc=$?
  local ok=0
  grep -qx '[[:space:]]*OK[[:space:]]*' "$4" && ok=1
  if (( rc == 0 && ok )); then echo accept
  elif (( rc == 0 )); then echo "crash(exit 0 without OK)"
  elif (( rc >= 124 )); then echo "crash(exit $rc)"
  elif (( ok )); then echo "crash(exit $rc but printed OK)"
  else echo reject
  fi
}

# expect_both_reject NAME VK PUBLIC PROOF
expect_both_reject() {
  local name="$1" vk="$2" pub="$3" proof="$4" tag s p
  tag="$(echo "$name" | tr -c 'A-Za-z0-9_.-' '_')"
  s="$(snarkjs_verify "$vk" "$pub" "$proof" "$WORK/$tag.snarkjs.log")"
  p="$(provernet_verify "$vk" "$pub" "$proof" "$WORK/$tag.provernet.log")"
  if [[ "$s" == reject && "$p" == reject ]]; then
    report PASS "$name (both reject)"
  else
    report FAIL "$name" "snarkjs: $s, provernet: $p; provernet said: $(tr '\n' ' ' < "$WORK/$tag.provernet.log" | cut -c1-200)"
  fi
}

json_len() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).length)' "$1"; }

# ------------------------------------------------------------------ per circuit
echo "provernet: $PROVERNET"
echo "snarkjs:   $SNARKJS"
echo "fixtures:  $FIXTURES (${#circuits[@]} circuits)"
ncirc=${#circuits[@]}
for (( ci = 0; ci < ncirc; ci++ )); do
  c="${circuits[$ci]}"
  f="$FIXTURES/$c"
  w="$WORK/$c"
  mkdir -p "$w"
  echo "=== $c $(node -e 'const i=require(process.argv[1]); console.log(`(${i.nConstraints} constraints, ${i.nPublic} public, domain ${i.domainSize})`)' "$f/info.json" 2>/dev/null)"
  for file in circuit.zkey circuit.wtns verification_key.json snarkjs_proof.json snarkjs_public.json; do
    [[ -f "$f/$file" ]] || { report FAIL "$c: fixture file $file present"; continue 2; }
  done
  vk="$f/verification_key.json"

  # 1. provernet proves, snarkjs verifies.
  t0=$(date +%s.%N)
  if "$PROVERNET" prove "$f/circuit.zkey" "$f/circuit.wtns" "$w/proof.json" "$w/public.json" > "$w/prove.log" 2>&1 \
     && [[ -s "$w/proof.json" && -s "$w/public.json" ]]; then
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    report PASS "$c: provernet prove (${secs}s)"
    s="$(snarkjs_verify "$vk" "$w/public.json" "$w/proof.json" "$w/snarkjs_verify_ours.log")"
    if [[ "$s" == accept ]]; then report PASS "$c: snarkjs verifies provernet's proof"
    else report FAIL "$c: snarkjs verifies provernet's proof" "$(tr '\n' ' ' < "$w/snarkjs_verify_ours.log" | cut -c1-200)"; fi
    if node "$WORK/jsoneq.js" "$w/public.json" "$f/snarkjs_public.json" > "$w/public_diff.log" 2>&1; then
      report PASS "$c: provernet public.json equals snarkjs's"
    else report FAIL "$c: provernet public.json equals snarkjs's" "$(head -c 200 "$w/public_diff.log")"; fi
    p="$(provernet_verify "$vk" "$w/public.json" "$w/proof.json" "$w/provernet_verify_ours.log")"
    if [[ "$p" == accept ]]; then report PASS "$c: provernet verifies its own proof"
    else report FAIL "$c: provernet verifies its own proof" "$p"; fi
  else
    report FAIL "$c: provernet prove" "exit/output: $(tail -n 5 "$w/prove.log" | tr '\n' ' ' | cut -c1-300)"
  fi

  # 2. provernet verifies snarkjs's proof.
  p="$(provernet_verify "$vk" "$f/snarkjs_public.json" "$f/snarkjs_proof.json" "$w/provernet_verify_snarkjs.log")"
  if [[ "$p" == accept ]]; then report PASS "$c: provernet verifies snarkjs's proof"
  else report FAIL "$c: provernet verifies snarkjs's proof" "$p; $(tr '\n' ' ' < "$w/provernet_verify_snarkjs.log" | cut -c1-200)"; fi

  # 3. tampering: both must reject.
  for kind in a_is_c a_x_plus_1 c_negated a_infinity b_x_swapped b_y_plus_1; do
    node "$WORK/tamper.js" "$kind" "$f/snarkjs_proof.json" "$w/proof_$kind.json"
    expect_both_reject "$c: tampered proof $kind" "$vk" "$f/snarkjs_public.json" "$w/proof_$kind.json"
  done
  npub="$(json_len "$f/snarkjs_public.json")"
  pub_kinds=(pub_extra)
  if (( npub > 0 )); then pub_kinds+=(pub0_plus_1 pub0_plus_r); fi
  # snarkjs does not check the number of public signals: it ignores missing trailing ones, so
  # dropping a trailing "0" still verifies there. Only drop a non-zero one.
  if (( npub > 0 )) && [[ "$(node -e 'const j=require(process.argv[1]); console.log(j[j.length-1])' "$f/snarkjs_public.json")" != 0 ]]; then
    pub_kinds+=(pub_missing)
  fi
  if (( npub > 1 )); then pub_kinds+=(publast_plus_1); fi
  for kind in "${pub_kinds[@]}"; do
    node "$WORK/tamper.js" "$kind" "$f/snarkjs_public.json" "$w/public_$kind.json"
    expect_both_reject "$c: tampered public $kind" "$vk" "$w/public_$kind.json" "$f/snarkjs_proof.json"
  done
  # Another circuit's verification key (the next one that has the same number of public signals,
  # so the check is the pairing equation, else simply the next one).
  other=""
  for (( k = 1; k < ncirc; k++ )); do
    o="${circuits[$(( (ci + k) % ncirc ))]}"
    [[ -f "$FIXTURES/$o/snarkjs_public.json" ]] || continue
    [[ -z "$other" ]] && other="$o"
    if [[ "$(json_len "$FIXTURES/$o/snarkjs_public.json")" == "$npub" ]]; then other="$o"; break; fi
  done
  if [[ -n "$other" ]]; then
    expect_both_reject "$c: verification key of $other" "$FIXTURES/$other/verification_key.json" \
      "$f/snarkjs_public.json" "$f/snarkjs_proof.json"
  fi

  # 4. zkey export-vk equals snarkjs's verification_key.json.
  if "$PROVERNET" zkey export-vk "$f/circuit.zkey" "$w/vk.json" > "$w/export_vk.log" 2>&1 && [[ -s "$w/vk.json" ]]; then
    if d="$(node "$WORK/jsoneq.js" "$w/vk.json" "$vk" 2>&1)"; then
      report PASS "$c: provernet zkey export-vk equals snarkjs verification_key.json"
    else
      report FAIL "$c: provernet zkey export-vk equals snarkjs verification_key.json" "$(echo "$d" | head -c 300)"
    fi
  else
    report FAIL "$c: provernet zkey export-vk" "$(tail -n 5 "$w/export_vk.log" | tr '\n' ' ' | cut -c1-300)"
  fi

  # 5. info on the zkey.
  if "$PROVERNET" info "$f/circuit.zkey" > "$w/info.log" 2>&1; then
    report PASS "$c: provernet info circuit.zkey"
  else
    report FAIL "$c: provernet info circuit.zkey" "$(tail -n 3 "$w/info.log" | tr '\n' ' ' | cut -c1-200)"
  fi
done

echo
if (( fail )); then
  echo "failed cases:"
  printf '  %s\n' "${failed_cases[@]}"
fi
echo "$pass passed, $fail failed"
(( fail == 0 ))
