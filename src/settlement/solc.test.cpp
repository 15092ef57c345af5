// compile_solidity with the pinned solc-js (needs node and tools/node_modules, as the anvil tests).
#include "settlement/solc.hpp"

#include "settlement/abi.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>

using namespace provernet::settlement;

namespace {

// Sets an environment variable for one scope, restoring the previous value.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name)
    {
        if (const char* old = std::getenv(name))
            old_ = old;
        ::setenv(name, value, 1);
    }
    ~ScopedEnv()
    {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

const char* kCounter = R"(// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import "./IAdder.sol";
contract Adder is IAdder {
    function add(uint256 a, uint256 b) external pure returns (uint256) { return a + b; }
    // tload/tstore exist only from Cancun on: this compiles only with evmVersion >= cancun.
    function transient() external returns (uint256 v) {
        assembly {
            tstore(0, 7)
            v := tload(0)
        }
    }
}
)";

const char* kInterface = R"(// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
interface IAdder {
    function add(uint256 a, uint256 b) external pure returns (uint256);
}
)";

TEST(Solc, CompilesContractsAcrossFiles)
{
    const auto all = compile_solidity({{"Adder.sol", kCounter}, {"IAdder.sol", kInterface}});
    ASSERT_EQ(all.size(), 2u);
    const CompiledContract& adder = all.at("Adder");
    EXPECT_EQ(adder.name, "Adder");
    EXPECT_GT(adder.init_code.size(), adder.runtime_code.size());
    ASSERT_GT(adder.runtime_code.size(), 20u);
    EXPECT_EQ(adder.runtime_code[0], 0x60);  // PUSH1 0x80 (free memory pointer)
    EXPECT_TRUE(all.at("IAdder").init_code.empty());
    EXPECT_TRUE(all.at("IAdder").runtime_code.empty());

    ASSERT_TRUE(adder.abi.is_array());
    bool has_add = false;
    for (const auto& entry : adder.abi)
        has_add = has_add || (entry.value("name", "") == "add" && entry["inputs"].size() == 2);
    EXPECT_TRUE(has_add);
    // The dispatcher holds add(uint256,uint256)'s selector.
    const auto sel = provernet::settlement::abi::selector("add(uint256,uint256)");
    bool found = false;
    for (size_t i = 0; i + 4 < adder.runtime_code.size(); ++i)
        found = found || std::equal(sel.begin(), sel.end(), adder.runtime_code.begin() + long(i));
    EXPECT_TRUE(found);

    // Same sources, same bytecode (pinned compiler and settings).
    const CompiledContract again =
        compile_solidity_contract({{"Adder.sol", kCounter}, {"IAdder.sol", kInterface}}, "Adder");
    EXPECT_EQ(again.init_code, adder.init_code);
}

TEST(Solc, ErrorsCarrySolcsMessages)
{
    try {
        compile_solidity({{"Broken.sol", "pragma solidity ^0.8.24;\ncontract Broken { function f( }\n"}});
        FAIL() << "no exception";
    } catch (const SolcError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("ParserError"), std::string::npos) << what;
        EXPECT_NE(what.find("Broken.sol:2"), std::string::npos) << what;
    }
    try {
        compile_solidity({{"Types.sol", "pragma solidity ^0.8.24;\ncontract T { function f() external pure "
                                        "returns (uint8) { return 300; } }\n"}});
        FAIL() << "no exception";
    } catch (const SolcError& e) {
        EXPECT_NE(std::string(e.what()).find("TypeError"), std::string::npos) << e.what();
    }
    // Missing import.
    EXPECT_THROW(compile_solidity({{"Adder.sol", kCounter}}), SolcError);
}

TEST(Solc, MissingOrDuplicateContracts)
{
    try {
        compile_solidity_contract({{"IAdder.sol", kInterface}}, "Adder");
        FAIL() << "no exception";
    } catch (const SolcError& e) {
        EXPECT_NE(std::string(e.what()).find("no contract Adder"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("IAdder"), std::string::npos) << e.what();
    }
    try {
        compile_solidity({{"a.sol", "pragma solidity ^0.8.24; contract Same {}"},
                          {"b.sol", "pragma solidity ^0.8.24; contract Same {}"}});
        FAIL() << "no exception";
    } catch (const SolcError& e) {
        EXPECT_NE(std::string(e.what()).find("Same is defined in both a.sol and b.sol"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(compile_solidity({}), SolcError);
}

TEST(Solc, MissingToolsAreNamed)
{
    {
        ScopedEnv env("PROVERNET_SOLCJS", "/nonexistent/soljson.js");
        EXPECT_EQ(solcjs_path(), "/nonexistent/soljson.js");
        try {
            compile_solidity({{"IAdder.sol", kInterface}});
            FAIL() << "no exception";
        } catch (const SolcError& e) {
            EXPECT_NE(std::string(e.what()).find("/nonexistent/soljson.js"), std::string::npos) << e.what();
        }
    }
    {
        ScopedEnv env("PROVERNET_NODE", "/nonexistent/node");
        try {
            compile_solidity({{"IAdder.sol", kInterface}});
            FAIL() << "no exception";
        } catch (const SolcError& e) {
            EXPECT_NE(std::string(e.what()).find("/nonexistent/node"), std::string::npos) << e.what();
        }
    }
}

}  // namespace
