// Shared by the tests that run against a local anvil: the skip rule and a tiny contract written
// directly in EVM bytecode (no compiler needed).
#pragma once

#include "settlement/anvil.hpp"
#include "settlement/eth_client.hpp"
#include "settlement/bytes.hpp"
#include "settlement/hex.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

#include <unistd.h>

namespace provernet::settlement::testing {

inline bool anvil_available() { return ::access(AnvilProcess::default_binary().c_str(), X_OK) == 0; }

// A missing anvil fails the test (scripts/setup.sh installs it): skipping would let a broken
// setup pass CI. PROVERNET_SKIP_EVM_TESTS=1 skips instead, for a machine without node.
#define PROVERNET_REQUIRE_ANVIL()                                                                         \
    do {                                                                                                  \
        if (!::provernet::settlement::testing::anvil_available()) {                                      \
            const char* skip = std::getenv("PROVERNET_SKIP_EVM_TESTS");                                   \
            if (skip && std::string_view(skip) == "1")                                                   \
                GTEST_SKIP() << "anvil not installed; PROVERNET_SKIP_EVM_TESTS=1";                        \
            FAIL() << "anvil not installed at " << ::provernet::settlement::AnvilProcess::default_binary() \
                   << " (scripts/setup.sh runs npm ci in tools/; or set PROVERNET_ANVIL, or "             \
                      "PROVERNET_SKIP_EVM_TESTS=1 to skip)";                                              \
        }                                                                                                 \
    } while (false)

// A test suite sharing one anvil and a client for it (started once per suite; each test that
// needs it starts with PROVERNET_REQUIRE_ANVIL via SetUp). Derived is the suite itself, so each
// suite has its own node.
template <class Derived>
class AnvilSuite : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        if (!anvil_available()) return;
        anvil_ = new AnvilProcess();
        eth_ = new EthClient(anvil_->url());
    }
    static void TearDownTestSuite()
    {
        delete eth_;
        delete anvil_;
        eth_ = nullptr;
        anvil_ = nullptr;
    }
    void SetUp() override { PROVERNET_REQUIRE_ANVIL(); }

    static inline AnvilProcess* anvil_ = nullptr;
    static inline EthClient* eth_ = nullptr;
};

// The runtime code dispatches on the first calldata byte:
//   0x01 rest...           -> revert(rest)            (any revert payload: Error, Panic, custom)
//   0x02 topic(32) rest... -> log1(rest, topic); stop
//   anything else          -> return(calldata)        (echo)
//
//   00 36 5f 5f 37          calldatacopy(0, 0, calldatasize)
//   05 5f 35 60f8 1c        first byte = calldataload(0) >> 248
//   09 80 6001 14 6019 57   if (b == 1) goto revert_path
//   10 6002 14 6021 57      if (b == 2) goto log_path
//   16 36 5f f3             return(0, calldatasize)
//   19 5b 6001 36 03 6001 fd       revert_path: revert(1, calldatasize - 1)
//   21 5b 6001 35 6021 36 03 6021 a1 00   log_path: log1(33, calldatasize - 33, calldataload(1))
// The init code copies the 45-byte runtime (at offset 9) to memory and returns it.
inline Bytes echo_contract_init_code()
{
    return from_hex("0x602d8060095f395ff3"                 // init: codecopy(0, 9, 45); return(0, 45)
                    "365f5f37" "5f3560f81c"                   // calldatacopy; first byte
                    "8060011460195760021460215736" "5ff3"     // dispatch; echo
                    "5b60013603" "6001fd"                     // revert_path
                    "5b600135602136036021a100");              // log_path
}

}  // namespace provernet::settlement::testing
