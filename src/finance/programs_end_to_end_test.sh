#!/usr/bin/env bash
# Finance programs end to end through `provernet run`, checked by snarkjs: for each program named
# on the command line, a (cached) development key, the example input from examples/, the proof
# verified by `snarkjs groth16 verify`, result.json and public.json consistent, a tampered public
# signal rejected, and bad inputs and a key of another program refused with clear errors.
#
# Usage: src/finance/programs_end_to_end_test.sh PROVERNET_BIN PROGRAM...
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
P="$1"; shift
SNARKJS="${SNARKJS:-$ROOT/tools/node_modules/.bin/snarkjs}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/provernet-finance.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=../../scripts/lib/keys.sh
source "$ROOT/scripts/lib/keys.sh"
pass=0
fail=0
check() {  # check NAME CMD...: the command must succeed
  local name="$1"; shift
  if "$@" >"$WORK/out" 2>&1; then echo "PASS $name"; pass=$((pass + 1));
  else echo "FAIL $name: $(tail -c 600 "$WORK/out")"; fail=$((fail + 1)); fi
}
refuse() {  # refuse NAME PATTERN CMD...: the command must fail with exit 2 and a message matching PATTERN
  local name="$1" pattern="$2"; shift 2
  "$@" >"$WORK/out" 2>&1
  local rc=$?
  if [[ $rc -eq 2 ]] && grep -q -- "$pattern" "$WORK/out"; then echo "PASS $name ($(head -c 200 "$WORK/out"))"; pass=$((pass + 1));
  else echo "FAIL $name: rc=$rc $(tail -c 400 "$WORK/out")"; fail=$((fail + 1)); fi
}
snarkjs_ok() {
  "$SNARKJS" "$@" >"$WORK/sj" 2>&1 && grep -q "OK" "$WORK/sj"
}
snarkjs_rejects() {
  ! "$SNARKJS" "$@" >"$WORK/sj" 2>&1 || ! grep -q "OK" "$WORK/sj"
}

prev_key=""
for name in "$@"; do
  d="$WORK/$name"; mkdir -p "$d"
  input="$ROOT/examples/$name.json"
  check "$name: example input exists" test -f "$input"
  key=$(ensure_key "$name") || { echo "FAIL $name: setup"; fail=$((fail + 1)); continue; }
  check "$name: run" "$P" run "$name" "$input" --zkey "$key" --out "$d/out"
  check "$name: export-vk" "$P" zkey export-vk "$key" "$d/vk.json"
  check "$name: snarkjs groth16 verify" snarkjs_ok groth16 verify "$d/vk.json" "$d/out/public.json" "$d/out/proof.json"
  check "$name: provernet verify" "$P" verify "$d/vk.json" "$d/out/public.json" "$d/out/proof.json"
  # result.json names the public signals with the values of public.json, in order.
  check "$name: result.json public signals = public.json" python3 - "$d/out/result.json" "$d/out/public.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); p = json.load(open(sys.argv[2]))
assert r["program"] == sys.argv[3], r["program"]
assert [s["value"] for s in r["public_signals"]] == p, "public signals differ"
assert len(r["circuit_identity"]) == 64 and r["result"], "identity or result missing"
PY
  # A changed public signal fails snarkjs.
  python3 - "$d/out/public.json" "$d/tampered.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); p[0] = str((int(p[0]) + 1) % 21888242871839275222246405745257275088548364400416034614764424775089495617)
json.dump(p, open(sys.argv[2], "w"))
PY
  check "$name: snarkjs rejects a changed public signal" snarkjs_rejects groth16 verify "$d/vk.json" "$d/tampered.json" "$d/out/proof.json"
  # Bad input: the first field of the example removed; the error names it and nothing is written.
  field=$(python3 -c 'import json,sys; print(next(iter(json.load(open(sys.argv[1])))))' "$input")
  python3 - "$input" "$d/bad.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); del j[next(iter(j))]; json.dump(j, open(sys.argv[2], "w"))
PY
  refuse "$name: missing field named" "\"$field\"" "$P" run "$name" "$d/bad.json" --zkey "$key" --out "$d/bad"
  check "$name: nothing written for bad input" test ! -e "$d/bad/proof.json"
  echo '{"x": ' >"$d/malformed.json"
  refuse "$name: malformed JSON" "malformed JSON" "$P" run "$name" "$d/malformed.json" --zkey "$key" --out "$d/bad"
  if [[ -n "$prev_key" ]]; then
    refuse "$name: key of another program refused" "is not a key for $name" "$P" run "$name" "$input" --zkey "$prev_key" --out "$d/bad"
  fi
  prev_key="$key"
done

echo "$pass passed, $fail failed"
(( fail == 0 ))
