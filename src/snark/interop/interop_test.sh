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
# Environment: SNARKJS (default tools/node_modules/.bin/snarkjs), SNARKJS_MODULE (the snarkjs
# package dir, default beside the binary; the tampered cases are checked with its groth16.verify
# in one process per circuit), KEEP_TMP=1 keeps the work dir.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
SNARKJS="${SNARKJS:-$ROOT/tools/node_modules/.bin/snarkjs}"
# The same package as a library, for verifying the tampered cases in one process.
SNARKJS_MODULE="${SNARKJS_MODULE:-$(dirname "$SNARKJS")/../snarkjs}"

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
// node tamper.js VK PROOF PUBLIC OUTDIR: writes tampered copies of a proof / public signals and
// prints the cases, one a line: name<TAB>vk<TAB>public<TAB>proof.
const fs = require("fs");
const path = require("path");
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const [vk, proofFile, publicFile, outDir] = process.argv.slice(2);
const proof = JSON.parse(fs.readFileSync(proofFile, "utf8"));
const pub = JSON.parse(fs.readFileSync(publicFile, "utf8"));
const add = (s, d, m) => (((BigInt(s) + d) % m + m) % m).toString();
const clone = (x) => JSON.parse(JSON.stringify(x));
const proofCases = {
  a_is_c:      (j) => { j.pi_a = j.pi_c.slice(); },                       // another valid G1 point
  a_x_plus_1:  (j) => { j.pi_a[0] = add(j.pi_a[0], 1n, Q); },             // off the curve
  c_negated:   (j) => { j.pi_c[1] = add(0n, -BigInt(j.pi_c[1]), Q); },    // -C: on the curve, wrong
  a_infinity:  (j) => { j.pi_a = ["0", "1", "0"]; },                      // the point at infinity
  b_x_swapped: (j) => { j.pi_b[0] = [j.pi_b[0][1], j.pi_b[0][0]]; },      // off the twist
  b_y_plus_1:  (j) => { j.pi_b[1][0] = add(j.pi_b[1][0], 1n, Q); },
};
const pubCases = { pub_extra: (j) => { j.push("1"); } };
if (pub.length > 0) {
  pubCases.pub0_plus_1 = (j) => { j[0] = add(j[0], 1n, R); };
  pubCases.pub0_plus_r = (j) => { j[0] = (BigInt(j[0]) + R).toString(); }; // non-canonical (>= r)
  // snarkjs does not check the number of public signals and ignores missing trailing ones,
  // so dropping a trailing "0" would still verify there: only drop a non-zero one.
  if (BigInt(pub[pub.length - 1]) !== 0n) pubCases.pub_missing = (j) => { j.pop(); };
}
if (pub.length > 1) pubCases.publast_plus_1 = (j) => { j[j.length - 1] = add(j[j.length - 1], 1n, R); };
const lines = [];
for (const [name, f] of Object.entries(proofCases)) {
  const j = clone(proof); f(j);
  const out = path.join(outDir, `proof_${name}.json`);
  fs.writeFileSync(out, JSON.stringify(j, null, 1));
  lines.push([`tampered proof ${name}`, vk, publicFile, out].join("\t"));
}
for (const [name, f] of Object.entries(pubCases)) {
  const j = clone(pub); f(j);
  const out = path.join(outDir, `public_${name}.json`);
  fs.writeFileSync(out, JSON.stringify(j, null, 1));
  lines.push([`tampered public ${name}`, vk, out, proofFile].join("\t"));
}
console.log(lines.join("\n"));
EOF

cat > "$WORK/snarkjs_verify_batch.js" <<'EOF'
// node snarkjs_verify_batch.js SNARKJS_MODULE < cases: verifies each case (name<TAB>vk<TAB>public<TAB>proof)
// with snarkjs's groth16.verify in one process (the code behind `snarkjs groth16 verify`),
// printing name<TAB>accept|reject. An exception (e.g. malformed input) counts as a rejection.
const fs = require("fs");
const snarkjs = require(process.argv[2]);
const read = (f) => JSON.parse(fs.readFileSync(f, "utf8"));
(async () => {
  const lines = fs.readFileSync(0, "utf8").split("\n").filter((l) => l.trim());
  for (const line of lines) {
    const [name, vk, pub, proof] = line.split("\t");
    let ok = false;
    try { ok = (await snarkjs.groth16.verify(read(vk), read(pub), read(proof))) === true; } catch (e) { ok = false; }
    console.log(`${name}\t${ok ? "accept" : "reject"}`);
  }
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
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

# check_rejections CIRCUIT CASES_TSV: snarkjs (one batch) and provernet must both reject every case.
check_rejections() {
  local c="$1" cases="$2" name vk pub proof s p tag
  local -A sres=()
  if ! node "$WORK/snarkjs_verify_batch.js" "$SNARKJS_MODULE" < "$cases" > "$cases.snarkjs" 2> "$cases.snarkjs.err"; then
    report FAIL "$c: snarkjs batch verification ran" "$(head -c 300 "$cases.snarkjs.err")"
    return
  fi
  while IFS=$'\t' read -r name s; do sres["$name"]="$s"; done < "$cases.snarkjs"
  while IFS=$'\t' read -r name vk pub proof; do
    [[ -n "$name" ]] || continue
    s="${sres[$name]:-missing}"
    tag="$(echo "$c.$name" | tr -c 'A-Za-z0-9_.-' '_')"
    p="$(provernet_verify "$vk" "$pub" "$proof" "$WORK/$tag.provernet.log")"
    if [[ "$s" == reject && "$p" == reject ]]; then
      report PASS "$c: $name (both reject)"
    else
      report FAIL "$c: $name" "snarkjs: $s, provernet: $p; provernet said: $(tr '\n' ' ' < "$WORK/$tag.provernet.log" | cut -c1-200)"
    fi
  done < "$cases"
}

json_len() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).length)' "$1"; }

# ------------------------------------------------------------------ per circuit
echo "provernet: $PROVERNET"
echo "snarkjs:   $SNARKJS"
echo "fixtures:  $FIXTURES (${#circuits[@]} circuits)"
ncirc=${#circuits[@]}
declare -A NPUB=()
for c in "${circuits[@]}"; do
  if [[ -f "$FIXTURES/$c/snarkjs_public.json" ]]; then NPUB[$c]="$(json_len "$FIXTURES/$c/snarkjs_public.json")"; fi
done
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
  node "$WORK/tamper.js" "$vk" "$f/snarkjs_proof.json" "$f/snarkjs_public.json" "$w" > "$w/cases.tsv"
  # Another circuit's verification key (the next one that has the same number of public signals,
  # so the check is the pairing equation, else simply the next one).
  npub="${NPUB[$c]:-0}"
  other=""
  for (( k = 1; k < ncirc; k++ )); do
    o="${circuits[$(( (ci + k) % ncirc ))]}"
    [[ -n "${NPUB[$o]:-}" ]] || continue
    [[ -z "$other" ]] && other="$o"
    if [[ "${NPUB[$o]}" == "$npub" ]]; then other="$o"; break; fi
  done
  if [[ -n "$other" ]]; then
    printf '%s\t%s\t%s\t%s\n' "verification key of $other" "$FIXTURES/$other/verification_key.json" \
      "$f/snarkjs_public.json" "$f/snarkjs_proof.json" >> "$w/cases.tsv"
  fi
  check_rejections "$c" "$w/cases.tsv"

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
