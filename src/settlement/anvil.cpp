#include "settlement/anvil.hpp"

#include "settlement/eth_client.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#ifndef PROVERNET_SOURCE_DIR
#error "PROVERNET_SOURCE_DIR must be defined (see src/settlement/CMakeLists.txt)"
#endif

namespace provernet::settlement {

namespace {

using Clock = std::chrono::steady_clock;

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string tail(const std::string& text, size_t n = 1500)
{
    return text.size() > n ? "..." + text.substr(text.size() - n) : text;
}

// The port from anvil's "Listening on 127.0.0.1:<port>" line, once it has been printed.
std::optional<uint16_t> listening_port(const std::string& log)
{
    const std::string marker = "Listening on ";
    const size_t at = log.find(marker);
    if (at == std::string::npos)
        return std::nullopt;
    const size_t eol = log.find('\n', at);
    if (eol == std::string::npos)
        return std::nullopt;  // the line is still being written
    const std::string line = log.substr(at + marker.size(), eol - at - marker.size());
    const size_t colon = line.rfind(':');
    if (colon == std::string::npos)
        return std::nullopt;
    const long port = std::strtol(line.c_str() + colon + 1, nullptr, 10);
    if (port <= 0 || port > 65535)
        return std::nullopt;
    return uint16_t(port);
}

// anvil's default mnemonic "test test test test test test test test test test test junk",
// derivation path m/44'/60'/0'/0/i: public test keys that every Ethereum dev tool ships.
constexpr std::array<const char*, 10> dev_keys = {
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
};

// The npm package's bin.mjs only locates and spawns the platform binary of a sibling package
// (@foundry-rs/anvil-<os>-<arch>/bin/anvil). Running that binary directly leaves no intermediate
// node process: signals reach anvil itself, it is reaped here, and startup is faster.
std::string native_binary(const std::string& binary)
{
#if defined(__linux__)
    constexpr const char* os = "linux";
#elif defined(__APPLE__)
    constexpr const char* os = "darwin";
#else
    return binary;
#endif
#if defined(__x86_64__)
    constexpr const char* arch = "amd64";
#elif defined(__aarch64__)
    constexpr const char* arch = "arm64";
#else
    return binary;
#endif
    std::error_code ec;
    const auto real = std::filesystem::canonical(binary, ec);
    if (ec || real.filename() != "bin.mjs")
        return binary;
    const auto candidate =
        real.parent_path().parent_path() / (std::string("anvil-") + os + "-" + arch) / "bin" / "anvil";
    return ::access(candidate.c_str(), X_OK) == 0 ? candidate.string() : binary;
}

}  // namespace

std::string AnvilProcess::default_binary()
{
    if (const char* env = std::getenv("PROVERNET_ANVIL"); env != nullptr && *env != '\0')
        return env;
    return std::string(PROVERNET_SOURCE_DIR) + "/tools/node_modules/.bin/anvil";
}

PrivateKey AnvilProcess::dev_key(size_t index)
{
    if (index >= dev_keys.size())
        throw std::out_of_range("AnvilProcess::dev_key: index " + std::to_string(index) +
                                " (anvil has 10 default accounts, 0..9)");
    return PrivateKey::from_hex(dev_keys[index]);
}

AnvilProcess::AnvilProcess(Options options) : options_(std::move(options))
{
    binary_ = options_.binary.empty() ? default_binary() : options_.binary;
    if (::access(binary_.c_str(), X_OK) != 0)
        throw std::runtime_error("anvil binary \"" + binary_ + "\" is not an executable file (" +
                                 std::strerror(errno) +
                                 "); install it with `npm ci` in tools/ or set PROVERNET_ANVIL to its path");

    static std::atomic<unsigned> counter{0};
    log_path_ = std::filesystem::temp_directory_path() /
                ("provernet-anvil-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".log");

    const std::string executable = native_binary(binary_);
    std::vector<std::string> args = {executable, "--host", "127.0.0.1", "--port", std::to_string(options_.port),
                                     "--chain-id", std::to_string(options_.chain_id)};
    if (options_.block_time_s) {
        args.push_back("--block-time");
        args.push_back(std::to_string(*options_.block_time_s));
    } else if (!options_.automine) {
        args.push_back("--no-mining");
    }
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0)
        throw std::runtime_error("anvil: cannot create log file " + log_path_.string() + ": " + std::strerror(errno));
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) {
        const int err = errno;
        ::close(log_fd);
        ::close(null_fd);
        throw std::runtime_error("anvil: fork failed: " + std::string(std::strerror(err)));
    }
    if (pid_ == 0) {
        // Own process group: the npm wrapper spawns the real binary, and stop() signals both.
        ::setpgid(0, 0);
        // A parent that dies without running the destructor (crash, abort, killed test) must not
        // leave the node running.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::_exit(1);
        ::dup2(null_fd, STDIN_FILENO);
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        ::execv(executable.c_str(), argv.data());
        const std::string msg = "exec " + executable + " failed: " + std::strerror(errno) + "\n";
        [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg.data(), msg.size());
        ::_exit(127);
    }
    ::setpgid(pid_, pid_);  // also from the parent, so that stop() never races the child's call
    ::close(log_fd);
    ::close(null_fd);

    const auto fail = [&](const std::string& why) {
        const std::string log = read_file(log_path_);
        stop();
        throw std::runtime_error("anvil (" + binary_ + "): " + why + "; its output:\n" + tail(log));
    };
    const auto deadline = Clock::now() + options_.startup_timeout;
    while (true) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            fail(WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status)) + " while starting"
                                   : "killed by signal " + std::to_string(WTERMSIG(status)) + " while starting");
        }
        if (!port_) {
            if (auto p = listening_port(read_file(log_path_)))
                port_ = *p;
        }
        if (port_) {
            try {
                if (!rpc_)
                    rpc_.emplace(url(), std::chrono::milliseconds(2'000));
                const auto id = parse_quantity_u64(rpc_->call("eth_chainId", nlohmann::json::array()), "eth_chainId");
                if (id != options_.chain_id)
                    fail("answers chain id " + std::to_string(id) + ", expected " + std::to_string(options_.chain_id));
                break;
            } catch (const RpcTransportError&) {
                // Not accepting connections yet.
            }
        }
        if (Clock::now() >= deadline)
            fail("did not answer eth_chainId within " + std::to_string(options_.startup_timeout.count()) + " ms");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    rpc_.emplace(url(), std::chrono::milliseconds(10'000));
}

AnvilProcess::~AnvilProcess() { stop(); }

void AnvilProcess::stop() noexcept
{
    rpc_.reset();
    if (pid_ > 0) {
        ::kill(-pid_, SIGTERM);
        const auto deadline = Clock::now() + std::chrono::seconds(3);
        bool reaped = false;
        while (Clock::now() < deadline) {
            int status = 0;
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_ || (r < 0 && errno == ECHILD)) {
                reaped = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ::kill(-pid_, SIGKILL);  // the group: also a grandchild the wrapper may have left behind
        if (!reaped) {
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
        }
        pid_ = -1;
    }
    if (!log_path_.empty()) {
        std::error_code ignored;
        std::filesystem::remove(log_path_, ignored);
    }
}

std::string AnvilProcess::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void AnvilProcess::increase_time(uint64_t seconds) { rpc_->call("evm_increaseTime", {seconds}); }

void AnvilProcess::set_next_block_timestamp(uint64_t timestamp)
{
    rpc_->call("evm_setNextBlockTimestamp", {timestamp});
}

void AnvilProcess::mine(uint64_t blocks) { rpc_->call("anvil_mine", {to_quantity(blocks)}); }

void AnvilProcess::set_automine(bool enabled) { rpc_->call("evm_setAutomine", {enabled}); }

}  // namespace provernet::settlement
