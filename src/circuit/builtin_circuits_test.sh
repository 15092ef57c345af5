#!/usr/bin/env bash
# Built-in circuits end to end, checked by snarkjs: export the .r1cs, compute the witness natively
# (snarkjs wtns check), set up on our own ptau (snarkjs powersoftau verify, zkey verify), prove
# (snarkjs groth16 verify), and reject a bad input with an error naming the field.
#
# Usage: src/circuit/builtin_circuits_test.sh PROVERNET_BIN
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
P="$1"
SNARKJS="${SNARKJS:-$ROOT/tools/node_modules/.bin/snarkjs}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/provernet-builtin.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
pass=0
fail=0
check() {  # check NAME CMD...: the command must succeed
  local name="$1"; shift
  if "$@" >"$WORK/out" 2>&1; then echo "PASS $name"; pass=$((pass + 1));
  else echo "FAIL $name: $(tail -c 400 "$WORK/out")"; fail=$((fail + 1)); fi
}
snarkjs_ok() {  # snarkjs prints its verdicts; require the success line and exit 0
  local pattern="$1"; shift
  "$SNARKJS" "$@" >"$WORK/sj" 2>&1 && grep -q "$pattern" "$WORK/sj"
}

check "ptau new 13" "$P" ptau new 13 "$WORK/pot.ptau"
check "snarkjs powersoftau verify" snarkjs_ok "Powers of Tau Ok" powersoftau verify "$WORK/pot.ptau"

# The circuit layer's own examples (the finance programs have their own end-to-end test).
"$P" programs | cut -f1 | sort >"$WORK/programs"
"$P" circuit list | cut -f1 | sort | comm -23 - "$WORK/programs" >"$WORK/names"
while read -r name; do
  d="$WORK/$name"; mkdir -p "$d"
  check "$name: circuit info" "$P" circuit info "$name"
  check "$name: export r1cs" "$P" circuit export "$name" "$d/c.r1cs"
  check "$name: example input" "$P" circuit example "$name"
  cp "$WORK/out" "$d/in.json"
  check "$name: witness" "$P" witness "$name" "$d/in.json" "$d/c.wtns" "$d/pub_w.json"
  check "$name: snarkjs wtns check" snarkjs_ok "WITNESS IS CORRECT" wtns check "$d/c.r1cs" "$d/c.wtns"
  check "$name: setup" "$P" setup "$name" "$WORK/pot.ptau" "$d/c.zkey"
  id_setup=$(awk '/^identity:/ {print $2}' "$WORK/out")
  id_info=$("$P" circuit info "$name" --zkey "$d/c.zkey" | awk '/^identity:/ {print $2}')
  check "$name: identity from setup equals circuit info --zkey" test -n "$id_setup" -a "$id_setup" = "$id_info"
  check "$name: snarkjs zkey verify" snarkjs_ok "ZKey Ok" zkey verify "$d/c.r1cs" "$WORK/pot.ptau" "$d/c.zkey"
  check "$name: prove" "$P" prove "$d/c.zkey" "$d/c.wtns" "$d/proof.json" "$d/public.json"
  check "$name: export-vk" "$P" zkey export-vk "$d/c.zkey" "$d/vk.json"
  check "$name: snarkjs groth16 verify" snarkjs_ok "OK" groth16 verify "$d/vk.json" "$d/public.json" "$d/proof.json"
  check "$name: public.json matches witness" cmp "$d/public.json" "$d/pub_w.json"
done <"$WORK/names"

# Bad input: the error names the field; no witness is written.
echo '{"preimage": ["1"]}' >"$WORK/bad.json"
if "$P" witness poseidon-preimage "$WORK/bad.json" "$WORK/bad.wtns" 2>"$WORK/err"; then
  echo "FAIL bad input accepted"; fail=$((fail + 1))
elif grep -q 'field "preimage"' "$WORK/err" && [[ ! -e "$WORK/bad.wtns" ]]; then
  echo "PASS bad input names the field ($(cat "$WORK/err"))"; pass=$((pass + 1))
else
  echo "FAIL bad input message: $(cat "$WORK/err")"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
(( fail == 0 ))
