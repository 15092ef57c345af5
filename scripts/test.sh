#!/usr/bin/env bash
# The test command: installs what the tests need (Debian packages, the pinned npm tools under
# tools/), builds in Release and runs every test through CTest, the snarkjs/circom interop
# tests included.
#
# Usage: scripts/test.sh [extra ctest arguments]   (BUILD_DIR overrides ./build)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
JOBS="$(nproc)"

"$ROOT/scripts/setup.sh"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD_DIR" -j"$JOBS"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$JOBS" "$@"
