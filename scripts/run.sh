#!/usr/bin/env bash
# The main job: a local prover network doing real work end to end, on the embedded defaults.
# `provernet demo` starts a coordinator and three prover nodes as processes on loopback, submits
# a mix of finance requests (option batch, portfolio margin, liquidation check, account state
# transition), kills one node mid-proof, and prints live progress and the final table (prices,
# provers, latencies, settlement, earnings and slashes). Development keys are made on first use
# and cached in ~/.cache/provernet.
#
# Usage: scripts/run.sh [demo options, e.g. --keep --dir DIR]   (BUILD_DIR overrides ./build)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

"$ROOT/scripts/setup.sh"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target provernet
exec "$BUILD_DIR/src/cli/provernet" demo "$@"
