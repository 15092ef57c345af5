#!/usr/bin/env bash
# Installs what provernet needs to build, test and benchmark on Debian 12:
#   - the C++ toolchain and libraries (apt),
#   - GNU time (/usr/bin/time -v, used by bench/prove_vs_snarkjs.sh),
#   - Node.js + npm (apt, only when no `node`/`npm` is on PATH already),
#   - the pinned snarkjs/circom2/circomlib tooling in tools/node_modules (npm ci).
#
# Idempotent: apt is only touched when a package is missing, and `npm ci` only
# runs when tools/node_modules does not match tools/package-lock.json.
# Runs as root (uses sudo when started as another user and sudo exists).
#
# Usage: scripts/setup.sh [--no-apt] [--no-node-tools]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/tools"

do_apt=1
do_node_tools=1
for arg in "$@"; do
  case "$arg" in
    --no-apt) do_apt=0 ;;
    --no-node-tools) do_node_tools=0 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { echo "[setup] $*"; }

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    log "warning: not root and no sudo; apt steps will fail if anything is missing"
  fi
fi

# ---------------------------------------------------------------- apt packages
APT_PACKAGES=(
  cmake g++ make pkg-config
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libssl-dev libsodium-dev python3
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost-dev libsqlite3-dev libsecp256k1-dev libcrypto++-dev libtomlplusplus-dev libjemalloc-dev
  time ca-certificates
)
# Node: only from apt when none is on PATH (it may come from elsewhere, e.g. nodesource or nvm).
if ! command -v node >/dev/null 2>&1; then
  APT_PACKAGES+=(nodejs)
  # Debian's nodejs does not ship npm; nodesource's does (and conflicts with Debian's npm).
  command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(npm)
elif ! command -v npm >/dev/null 2>&1; then
  APT_PACKAGES+=(npm)
fi

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == "installed" ]]
}

if (( do_apt )); then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    is_installed "$p" || missing+=("$p")
  done
  if (( ${#missing[@]} == 0 )); then
    log "apt: all ${#APT_PACKAGES[@]} packages already installed"
  else
    log "apt: missing: ${missing[*]}"
    log "apt: apt-get update"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    log "apt: apt-get install -y ${missing[*]}"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
else
  log "apt: skipped (--no-apt)"
fi

# ------------------------------------------------------------- node tooling
if (( do_node_tools )); then
  command -v node >/dev/null 2>&1 || { log "error: node not found on PATH"; exit 1; }
  command -v npm >/dev/null 2>&1 || { log "error: npm not found on PATH"; exit 1; }
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  log "node $(node --version), npm $(npm --version)"
  if (( node_major < 18 )); then
    log "warning: node >= 18 is expected for snarkjs 0.7.6 (found $(node --version))"
  fi

  # The stamp ties tools/node_modules to the exact lockfile and node major version.
  stamp_file="$TOOLS/node_modules/.provernet-setup-stamp"
  want_stamp="$(cat "$TOOLS/package.json" "$TOOLS/package-lock.json" | sha256sum | cut -d' ' -f1) node$node_major"
  have_stamp="$(cat "$stamp_file" 2>/dev/null || true)"
  if [[ "$have_stamp" == "$want_stamp" \
        && -x "$TOOLS/node_modules/.bin/snarkjs" && -x "$TOOLS/node_modules/.bin/circom2" \
        && -d "$TOOLS/node_modules/circomlib/circuits" ]]; then
    log "npm: tools/node_modules is up to date with tools/package-lock.json"
  else
    log "npm: npm ci --prefix tools (snarkjs, circom2, circomlib)"
    npm ci --prefix "$TOOLS" --no-audit --no-fund
    echo "$want_stamp" > "$stamp_file"
  fi
  log "snarkjs: $("$TOOLS/node_modules/.bin/snarkjs" --version 2>&1 | head -n1 || true)"
  log "circom2: $("$TOOLS/node_modules/.bin/circom2" --version 2>&1 | tail -n1)"
else
  log "npm: skipped (--no-node-tools)"
fi

log "done"
