// A local anvil (Foundry) development node as a child process: `provernet demo --evm` and the
// settlement tests start one, talk to it over JSON-RPC and stop it on destruction.
//
// The node also gets SIGTERM when the thread that started it exits (PR_SET_PDEATHSIG), so that
// a crashed parent leaves no node behind: create it on a thread that outlives it (e.g. main).
#pragma once

#include "settlement/json_rpc.hpp"
#include "settlement/keys.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace provernet::settlement {

class AnvilProcess {
public:
    struct Options {
        uint16_t port = 0;  // 0: pick a free port
        uint64_t chain_id = 31337;
        std::optional<uint64_t> block_time_s;  // interval mining; with automine off and no block
                                               // time, blocks are mined only by mine()
        bool automine = true;
        // Default: $PROVERNET_ANVIL, else <source dir>/tools/node_modules/.bin/anvil.
        std::string binary;
        std::chrono::milliseconds startup_timeout{20'000};
        // Passed through to anvil after the generated arguments.
        std::vector<std::string> extra_args;
    };

    // Forks/execs anvil and waits until eth_chainId answers with the expected chain id. Throws
    // std::runtime_error naming the binary if it is missing, exits early or does not answer in
    // time (with the tail of its output).
    explicit AnvilProcess(Options options);
    AnvilProcess() : AnvilProcess(Options{}) {}
    // SIGTERM, then SIGKILL after a grace period; always reaps the child.
    ~AnvilProcess();
    AnvilProcess(const AnvilProcess&) = delete;
    AnvilProcess& operator=(const AnvilProcess&) = delete;

    std::string url() const;  // http://127.0.0.1:<port>
    uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::string& binary() const { return binary_; }
    static std::string default_binary();

    // Anvil's default mnemonic ("test test ... junk") accounts 0..9: public, well-known test keys.
    static PrivateKey dev_key(size_t index);

    void increase_time(uint64_t seconds);
    void set_next_block_timestamp(uint64_t timestamp);
    void mine(uint64_t blocks = 1);
    void set_automine(bool enabled);
    JsonRpcClient& rpc() { return *rpc_; }

private:
    void stop() noexcept;

    Options options_;
    std::string binary_;
    uint16_t port_ = 0;
    pid_t pid_ = -1;
    std::filesystem::path log_path_;
    std::optional<JsonRpcClient> rpc_;
};

}  // namespace provernet::settlement
