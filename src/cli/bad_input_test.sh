#!/usr/bin/env bash
# Bad input through the command line: every corrupted file must give a one-line error on stderr
# that names the file, and a non-zero exit status; never a crash (signal), a hang, or a proof.
#
# Usage: src/cli/bad_input_test.sh PROVERNET_BIN FIXTURE_DIR
# FIXTURE_DIR is what src/snark/interop/make_fixtures.sh wrote (two circuits of it are used).
set -uo pipefail
PROVERNET="$1"
FIXTURES="$2"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/provernet-badinput.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

A="$FIXTURES/mimc_sponge"     # 3 public signals
B="$FIXTURES/comparators"     # another circuit
for f in "$A/circuit.zkey" "$A/circuit.wtns" "$A/verification_key.json" "$A/snarkjs_proof.json" \
         "$A/snarkjs_public.json" "$B/circuit.wtns"; do
  [[ -f "$f" ]] || { echo "missing fixture $f (run make_fixtures.sh)" >&2; exit 2; }
done

pass=0
fail=0
ok()  { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# expect_error NAME FILE_NAMED_IN_MESSAGE CMD...: non-zero exit below 128 (no signal), within 120 s,
# exactly one line on stderr, mentioning the file.
expect_error() {
  local name="$1" named="$2"
  shift 2
  local err="$WORK/stderr" rc
  timeout 120 "$@" >"$WORK/stdout" 2>"$err"
  rc=$?
  if (( rc == 0 )); then bad "$name" "exit status 0"; return; fi
  if (( rc == 124 )); then bad "$name" "timed out"; return; fi
  if (( rc >= 128 )); then bad "$name" "killed by signal $((rc - 128))"; return; fi
  local lines
  lines=$(wc -l <"$err")
  if [[ "$(cat "$WORK/stdout")" == "OK" ]]; then bad "$name" "printed OK"; return; fi
  if (( lines > 1 )); then bad "$name" "$lines lines on stderr: $(head -c 300 "$err")"; return; fi
  if [[ -n "$named" ]] && ! grep -qF "$named" "$err" "$WORK/stdout"; then
    bad "$name" "message does not name $named: $(cat "$err" "$WORK/stdout")"; return
  fi
  ok "$name ($(cat "$err" "$WORK/stdout" | head -c 160))"
}

# patch FILE OFFSET HEXBYTES: overwrite bytes in place.
patch() { python3 - "$@" <<'PY'
import sys
path, off, data = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
with open(path, "r+b") as f:
    f.seek(off); f.write(data)
PY
}
# section_offset FILE TYPE: byte offset of a binfile section's payload.
section_offset() { python3 - "$@" <<'PY'
import struct, sys
path, want = sys.argv[1], int(sys.argv[2])
b = open(path, "rb").read()
n = struct.unpack_from("<I", b, 8)[0]
pos = 12
for _ in range(n):
    t, size = struct.unpack_from("<IQ", b, pos)
    if t == want:
        print(pos + 12); break
    pos += 12 + size
PY
}

P="$PROVERNET"

# --- proving key
cp "$A/circuit.zkey" "$WORK/trunc.zkey"; truncate -s $(( $(stat -c %s "$WORK/trunc.zkey") / 2 )) "$WORK/trunc.zkey"
expect_error "zkey truncated" trunc.zkey "$P" prove "$WORK/trunc.zkey" "$A/circuit.wtns" "$WORK/proof.json" "$WORK/public.json"
: >"$WORK/empty.zkey"
expect_error "zkey empty" empty.zkey "$P" prove "$WORK/empty.zkey" "$A/circuit.wtns" "$WORK/proof.json" "$WORK/public.json"
cp "$A/circuit.zkey" "$WORK/magic.zkey"; patch "$WORK/magic.zkey" 0 "7a6b6579"; patch "$WORK/magic.zkey" 0 "58585858"
expect_error "zkey wrong magic" magic.zkey "$P" prove "$WORK/magic.zkey" "$A/circuit.wtns" "$WORK/proof.json" "$WORK/public.json"
cp "$A/circuit.zkey" "$WORK/version.zkey"; patch "$WORK/version.zkey" 4 "63000000"
expect_error "zkey unsupported version" version.zkey "$P" prove "$WORK/version.zkey" "$A/circuit.wtns" "$WORK/proof.json" "$WORK/public.json"
h=$(section_offset "$A/circuit.zkey" 2)
cp "$A/circuit.zkey" "$WORK/curve.zkey"; patch "$WORK/curve.zkey" $((h + 4)) "abababab"
expect_error "zkey other curve (q)" curve.zkey "$P" prove "$WORK/curve.zkey" "$A/circuit.wtns" "$WORK/proof.json" "$WORK/public.json"
s5=$(section_offset "$A/circuit.zkey" 5)
cp "$A/circuit.zkey" "$WORK/offcurve.zkey"; patch "$WORK/offcurve.zkey" $((s5 + 64 + 3)) "01"
expect_error "zkey A point off the curve" offcurve.zkey "$P" prove "$WORK/offcurve.zkey" "$A/circuit.wtns" "$WORK/proof.json" "$WORK/public.json"
cp "$A/circuit.zkey" "$WORK/noncanon.zkey"; patch "$WORK/noncanon.zkey" $((s5 + 64)) "$(printf 'ff%.0s' {1..32})"
expect_error "zkey coordinate >= q" noncanon.zkey "$P" prove "$WORK/noncanon.zkey" "$A/circuit.wtns" "$WORK/proof.json" "$WORK/public.json"
s4=$(section_offset "$A/circuit.zkey" 4)
cp "$A/circuit.zkey" "$WORK/coef.zkey"; patch "$WORK/coef.zkey" $((s4 + 4 + 8)) "ffffff7f"
expect_error "zkey coefficient signal out of range" coef.zkey "$P" prove "$WORK/coef.zkey" "$A/circuit.wtns" "$WORK/proof.json" "$WORK/public.json"

# --- witness
expect_error "witness of another circuit" circuit.wtns "$P" prove "$A/circuit.zkey" "$B/circuit.wtns" "$WORK/proof.json" "$WORK/public.json"
w2=$(section_offset "$A/circuit.wtns" 2)
cp "$A/circuit.wtns" "$WORK/noncanon.wtns"; patch "$WORK/noncanon.wtns" $((w2 + 32)) "$(printf 'ff%.0s' {1..32})"
expect_error "witness value >= r" noncanon.wtns "$P" prove "$A/circuit.zkey" "$WORK/noncanon.wtns" "$WORK/proof.json" "$WORK/public.json"
w1=$(section_offset "$A/circuit.wtns" 1)
cp "$A/circuit.wtns" "$WORK/prime.wtns"; patch "$WORK/prime.wtns" $((w1 + 4)) "02"
expect_error "witness other prime" prime.wtns "$P" prove "$A/circuit.zkey" "$WORK/prime.wtns" "$WORK/proof.json" "$WORK/public.json"
cp "$A/circuit.wtns" "$WORK/trunc.wtns"; truncate -s 100 "$WORK/trunc.wtns"
expect_error "witness truncated" trunc.wtns "$P" prove "$A/circuit.zkey" "$WORK/trunc.wtns" "$WORK/proof.json" "$WORK/public.json"
# A witness that fits the key but does not satisfy it: the last value changed.
cp "$A/circuit.wtns" "$WORK/unsat.wtns"; patch "$WORK/unsat.wtns" $(( $(stat -c %s "$A/circuit.wtns") - 32 )) "05"
rm -f "$WORK/proof.json"
expect_error "witness not satisfying the constraints" unsat.wtns "$P" prove "$A/circuit.zkey" "$WORK/unsat.wtns" "$WORK/proof.json" "$WORK/public.json"
[[ -e "$WORK/proof.json" ]] && bad "no proof written for an unsatisfying witness" "proof.json exists" \
  || ok "no proof written for an unsatisfying witness"

# --- verification inputs
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); p[0]="21888242871839275222246405745257275088548364400416034343698204186575808495617"; json.dump(p,open(sys.argv[2],"w"))' \
  "$A/snarkjs_public.json" "$WORK/big_public.json"
expect_error "public signal = r" big_public.json "$P" verify "$A/verification_key.json" "$WORK/big_public.json" "$A/snarkjs_proof.json"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); json.dump(p[:-1],open(sys.argv[2],"w"))' \
  "$A/snarkjs_public.json" "$WORK/short_public.json"
expect_error "public signal missing" short_public.json "$P" verify "$A/verification_key.json" "$WORK/short_public.json" "$A/snarkjs_proof.json"
head -c 200 "$A/snarkjs_proof.json" >"$WORK/cut_proof.json"
expect_error "proof.json malformed" cut_proof.json "$P" verify "$A/verification_key.json" "$A/snarkjs_public.json" "$WORK/cut_proof.json"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); p["pi_a"][1]=str(int(p["pi_a"][1])+1); json.dump(p,open(sys.argv[2],"w"))' \
  "$A/snarkjs_proof.json" "$WORK/offcurve_proof.json"
expect_error "proof pi_a off the curve" offcurve_proof.json "$P" verify "$A/verification_key.json" "$A/snarkjs_public.json" "$WORK/offcurve_proof.json"
# A point on the twist curve outside the order-r subgroup, as pi_b.
python3 - "$A/snarkjs_proof.json" "$WORK/subgroup_proof.json" <<'PY'
import json, sys
q = 21888242871839275222246405745257275088696311157297823662689037894645226208583
def mul(a, b): return ((a[0]*b[0] - a[1]*b[1]) % q, (a[0]*b[1] + a[1]*b[0]) % q)
def add(a, b): return ((a[0]+b[0]) % q, (a[1]+b[1]) % q)
def inv(a):
    t = pow(a[0]*a[0] + a[1]*a[1], q - 2, q); return (a[0]*t % q, -a[1]*t % q)
b2 = mul((3, 0), inv((9, 1)))
def sqrt2(a):  # square root in Fq2 (q = 3 mod 4), or None
    norm = (a[0]*a[0] + a[1]*a[1]) % q
    if pow(norm, (q - 1)//2, q) != 1: return None
    alpha = pow(norm, (q + 1)//4, q)
    for d in ((a[0] + alpha) * pow(2, q - 2, q) % q, (a[0] - alpha) * pow(2, q - 2, q) % q):
        x0 = pow(d, (q + 1)//4, q)
        if x0 * x0 % q == d and x0 != 0:
            y = (x0, a[1] * pow(2 * x0, q - 2, q) % q)
            if mul(y, y) == a: return y
    return None
x = 1
while True:
    X = (x, 0); y = sqrt2(add(mul(mul(X, X), X), b2))
    if y: break
    x += 1
p = json.load(open(sys.argv[1]))
p["pi_b"] = [[str(X[0]), str(X[1])], [str(y[0]), str(y[1])], ["1", "0"]]
json.dump(p, open(sys.argv[2], "w"))
PY
expect_error "proof pi_b outside the G2 subgroup" subgroup_proof.json "$P" verify "$A/verification_key.json" "$A/snarkjs_public.json" "$WORK/subgroup_proof.json"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); del p["IC"]; json.dump(p,open(sys.argv[2],"w"))' \
  "$A/verification_key.json" "$WORK/noic_vk.json"
expect_error "verification key without IC" noic_vk.json "$P" verify "$WORK/noic_vk.json" "$A/snarkjs_public.json" "$A/snarkjs_proof.json"
echo '{"protocol":"groth16"' >"$WORK/garbage.json"
expect_error "info on truncated JSON" garbage.json "$P" info "$WORK/garbage.json"
head -c 1000 /dev/urandom >"$WORK/random.bin"
expect_error "info on random bytes" random.bin "$P" info "$WORK/random.bin"

echo "$pass passed, $fail failed"
(( fail == 0 ))
