#!/usr/bin/env bash
# Finance programs: constraints, witness time and proof time per program and batch size, through
# `provernet run` (median of --runs runs; keys are development keys cached by scripts/lib/keys.sh,
# made on first use: a 2^18 setup takes minutes on 2 cores).
#
# Usage: bench/finance_programs.sh [--runs N] PROGRAM...
#   e.g. bench/finance_programs.sh black-scholes-1 black-scholes-16 black-scholes-64
# Prints a Markdown table.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
P="$BUILD_DIR/src/cli/provernet"
runs=3
if [[ "${1:-}" == "--runs" ]]; then runs="$2"; shift 2; fi
# shellcheck source=../scripts/lib/keys.sh
source "$ROOT/scripts/lib/keys.sh"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/provernet-finance-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo
echo "| program | constraints | per item | domain | witness (ms) | proof (ms) | peak RSS (MiB) |"
echo "|---|---|---|---|---|---|---|"
for name in "$@"; do
  constraints=$("$P" circuit info "$name" | awk '/^constraints:/ {print $2}')
  key=$(ensure_key "$name")
  "$P" circuit example "$name" >"$WORK/in.json"
  : >"$WORK/w"; : >"$WORK/p"; : >"$WORK/m"
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f "%M" -o "$WORK/rss" "$P" run "$name" "$WORK/in.json" --zkey "$key" --out "$WORK/out" 2>"$WORK/err"
    sed -n 's/.*witness \([0-9.]*\) ms.*/\1/p' "$WORK/err" >>"$WORK/w"
    sed -n 's/.*proof \([0-9.]*\) ms.*/\1/p' "$WORK/err" >>"$WORK/p"
    tail -1 "$WORK/rss" >>"$WORK/m"
  done
  # items: the batch size in the name (first number), for the per-item column
  items=$(grep -oE '[0-9]+' <<<"$name" | head -1)
  power=$(circuit_power "$name")
  printf '| %s | %s | %s | 2^%s | %.1f | %.0f | %.0f |\n' "$name" "$constraints" \
    "$(( constraints / (items > 0 ? items : 1) ))" "$power" "$(median <"$WORK/w")" "$(median <"$WORK/p")" \
    "$(median <"$WORK/m" | awk '{print $1 / 1024}')"
done
