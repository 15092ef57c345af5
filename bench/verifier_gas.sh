#!/usr/bin/env bash
# Gas of the generated Solidity Groth16 verifier (provernet zkey export-solidity) against the
# snarkjs-generated verifier for the same key, and of isValidBatch for k = 1, 8, 32, 64 proofs:
# whole transactions on a local anvil (tools/node_modules/.bin/anvil), compiled with the pinned
# solc-js (0.8.28, optimizer 200 runs, cancun). The table is printed by the GasTable test.
#
# Usage: bench/verifier_gas.sh [BUILD_DIR]   (default: build)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-$here/../build}"
exec "$build/src/settlement/settlement_tests" --gtest_filter='SolidityVerifier.GasTable'
