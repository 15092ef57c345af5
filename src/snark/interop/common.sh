# shellcheck shell=bash disable=SC2034
# Shared helpers for make_fixtures.sh and bench/prove_vs_snarkjs.sh (sourced, not run).
#
# Before sourcing, set ROOT (the repository root). Provides:
#   TOOLS, SNARKJS, CIRCOM, CACHE        tool paths and the cache dir (${PROVERNET_CACHE:-$HOME/.cache/provernet})
#   LOG_TAG                              prefix of progress lines (default "interop")
#   TIMINGS_FILE                         when set, step() appends "name<TAB>seconds" to it
#   require_tools                        fails with a hint when snarkjs/circom2 are not installed
#   now, elapsed T0 [T1]                 wall-clock helpers (seconds, 1 decimal)
#   step NAME LOGFILE CMD...             runs CMD, logs to LOGFILE, prints its duration, stops on failure
#   run_circom ARGS...                   circom2 with absolute paths, run from /
#   r1cs_info FILE                       "nConstraints nPublic nPubOut nPubIn nPrvIn nWires"
#   domain_power NCONSTRAINTS NPUBLIC    smallest p with 2^p >= nConstraints + nPublic + 1
#   find_or_make_ptau P                  path of a prepared ptau of power >= P from $CACHE/ptau (made if none)

TOOLS="${PROVERNET_TOOLS:-$ROOT/tools}"
[[ -d "$TOOLS" ]] && TOOLS="$(cd "$TOOLS" && pwd)"
SNARKJS="$TOOLS/node_modules/.bin/snarkjs"
CIRCOM="$TOOLS/node_modules/.bin/circom2"
CACHE="${PROVERNET_CACHE:-$HOME/.cache/provernet}"
LOG_TAG="${LOG_TAG:-interop}"
TIMINGS_FILE="${TIMINGS_FILE:-}"

require_tools() {
  local tool
  for tool in "$SNARKJS" "$CIRCOM"; do
    if [[ ! -x "$tool" ]]; then
      echo "[$LOG_TAG] $tool not found; run scripts/setup.sh (or npm ci --prefix tools) first" >&2
      exit 1
    fi
  done
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.1f", b - a }'; }

step() {
  local name="$1" logfile="$2"; shift 2
  local t0 dt
  t0="$(now)"
  # snarkjs sometimes logs an [ERROR] and still exits 0 (e.g. groth16 setup with a too small ptau).
  if ! "$@" >"$logfile" 2>&1 || grep -q '\[ERROR\]' "$logfile"; then
    echo "[$LOG_TAG] FAILED: $name" >&2
    echo "[$LOG_TAG] command: $*" >&2
    tail -n 40 "$logfile" >&2
    exit 1
  fi
  dt="$(elapsed "$t0")"
  printf '[%s] %-48s %8ss\n' "$LOG_TAG" "$name" "$dt"
  if [[ -n "$TIMINGS_FILE" ]]; then printf '%s\t%s\n' "$name" "$dt" >> "$TIMINGS_FILE"; fi
}

# circom2 (circom compiled to wasm, run under WASI) turns path arguments into paths relative to
# the working directory and cannot follow include paths that start with "..": run it from /
# with absolute paths.
run_circom() {
  local args=() a
  for a in "$@"; do
    if [[ "$a" != -* && -e "$a" ]]; then args+=("$(cd "$(dirname "$a")" && pwd)/$(basename "$a")"); else args+=("$a"); fi
  done
  (cd / && "$CIRCOM" "${args[@]}")
}

r1cs_info() {
  node -e '
    const b = require("fs").readFileSync(process.argv[1]);
    if (b.toString("latin1", 0, 4) !== "r1cs") throw new Error("not an r1cs file");
    const nSections = b.readUInt32LE(8);
    let off = 12;
    for (let i = 0; i < nSections; i++) {
      const type = b.readUInt32LE(off);
      const size = Number(b.readBigUInt64LE(off + 4));
      const p = off + 12;
      if (type === 1) {
        const q = p + 4 + b.readUInt32LE(p);
        const nWires = b.readUInt32LE(q), nPubOut = b.readUInt32LE(q + 4),
              nPubIn = b.readUInt32LE(q + 8), nPrvIn = b.readUInt32LE(q + 12);
        const nConstraints = b.readUInt32LE(q + 24);
        console.log([nConstraints, nPubOut + nPubIn, nPubOut, nPubIn, nPrvIn, nWires].join(" "));
        process.exit(0);
      }
      off = p + size;
    }
    throw new Error("r1cs header section not found");
  ' "$1"
}

domain_power() {
  local need=$(( $1 + $2 + 1 )) p=0
  while (( (1 << p) < need )); do p=$(( p + 1 )); done
  echo "$p"
}

# make_ptau P DEST: new bn128 P, one contribution, prepare phase2; written atomically.
make_ptau() {
  local p="$1" dest="$2" tmp
  tmp="$(mktemp -d "$(dirname "$dest")/.ptau-$p.XXXXXX")"
  step "ptau $p: powersoftau new" "$tmp/new.log" \
    "$SNARKJS" powersoftau new bn128 "$p" "$tmp/pot_0000.ptau"
  step "ptau $p: powersoftau contribute" "$tmp/contribute.log" \
    "$SNARKJS" powersoftau contribute "$tmp/pot_0000.ptau" "$tmp/pot_0001.ptau" \
      --name="provernet test contribution" -e="provernet test entropy (not a secure ceremony)"
  step "ptau $p: powersoftau prepare phase2" "$tmp/prepare.log" \
    "$SNARKJS" powersoftau prepare phase2 "$tmp/pot_0001.ptau" "$tmp/pot_final.ptau"
  mv "$tmp/pot_final.ptau" "$dest"
  rm -rf "$tmp"
}

# find_or_make_ptau P: prints the smallest cached prepared ptau of power >= P, making
# pot<P>_final.ptau when there is none. Concurrent callers wait on a lock.
find_or_make_ptau() {
  local p="$1" q dir="$CACHE/ptau"
  mkdir -p "$dir"
  (
    flock 9
    for (( q = p; q <= 28; q++ )); do
      if [[ -s "$dir/pot${q}_final.ptau" ]]; then echo "$dir/pot${q}_final.ptau"; exit 0; fi
    done
    echo "[$LOG_TAG] no cached ptau of power >= $p in $dir: making pot${p}_final.ptau (slow: snarkjs prepare phase2)" >&2
    make_ptau "$p" "$dir/pot${p}_final.ptau" >&2
    echo "$dir/pot${p}_final.ptau"
  ) 9>"$dir/.lock"
}
