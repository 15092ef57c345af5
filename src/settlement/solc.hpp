// Compiles Solidity with the pinned solc-js (tools/package.json: solc 0.8.28) through its
// standard-JSON interface, run by node in a child process: optimizer on (200 runs), evmVersion
// cancun, so the same sources always give the same bytecode.
//
// soljson.js: $PROVERNET_SOLCJS, else <source dir>/tools/node_modules/solc/soljson.js.
// node: $PROVERNET_NODE, else `node` on PATH.
#pragma once

#include "settlement/bytes.hpp"
#include "settlement/errors.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>

namespace provernet::settlement {

// The compiler reported errors (the message holds solc's formatted messages), or it could not be
// run (node or soljson.js missing, unparsable output).
struct SolcError : Error {
    using Error::Error;
};

struct CompiledContract {
    std::string name;
    Bytes init_code;     // creation bytecode (empty for interfaces and abstract contracts)
    Bytes runtime_code;  // deployed bytecode
    nlohmann::json abi;  // the ABI JSON array
};

// Every contract, interface and library in `sources` (file name -> source text), keyed by name.
// SolcError on compiler errors (warnings are ignored), or when two files define the same name.
std::map<std::string, CompiledContract> compile_solidity(const std::map<std::string, std::string>& sources);

// The contract `contract_name` from compile_solidity(sources); SolcError if absent.
CompiledContract compile_solidity_contract(const std::map<std::string, std::string>& sources,
                                           std::string_view contract_name);

// The soljson.js that compile_solidity uses.
std::string solcjs_path();

}  // namespace provernet::settlement
