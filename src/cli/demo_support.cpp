// provernet demo's plumbing: cached development keys and child processes.
#include "cli/circuit_commands.hpp"
#include "cli/demo_command.hpp"

#include "circuit/registry.hpp"
#include "snark/ptau_new.hpp"
#include "snark/setup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace provernet::cli::demo {

namespace fs = std::filesystem;

namespace {

fs::path cache_root()
{
    if (const char* c = std::getenv("PROVERNET_CACHE"); c && *c) return c;
    const char* home = std::getenv("HOME");
    if (!home || !*home) throw std::runtime_error("demo: neither PROVERNET_CACHE nor HOME is set (key cache)");
    return fs::path(home) / ".cache" / "provernet";
}

std::string temp_name(const fs::path& final_path)
{
    return final_path.string() + ".tmp." + std::to_string(::getpid());
}

// A development ptau of power >= k: the smallest cached one up to 2^22, else a new 2^k.
fs::path ensure_ptau(uint32_t k)
{
    const fs::path dir = cache_root() / "ptau";
    fs::create_directories(dir);
    for (uint32_t j = k; j <= 22; ++j)
        if (fs::exists(dir / ("dev_pot" + std::to_string(j) + ".ptau"))) return dir / ("dev_pot" + std::to_string(j) + ".ptau");
    const fs::path out = dir / ("dev_pot" + std::to_string(k) + ".ptau");
    const std::string tmp = temp_name(out);
    snark::write_new_ptau(tmp, k);
    fs::rename(tmp, out);
    return out;
}

}  // namespace

std::string ensure_dev_key(const std::string& program, bool* made)
{
    const circuit::CircuitSpec* spec = find_circuit(program);
    if (!spec) throw std::runtime_error("demo: unknown program \"" + program + "\"");
    const circuit::Builder b = circuit::build_constraint_system(*spec);
    const fs::path key = cache_root() / "keys" / (circuit::structure_hash(b) + ".zkey");
    if (made) *made = false;
    if (fs::exists(key)) return key.string();
    const snark::R1cs r1cs = b.r1cs();
    // The smallest domain 2^k holding constraints + public signals + 1 (as keys.sh computes it).
    const uint64_t n = uint64_t{r1cs.header.n_constraints} + r1cs.header.n_public() + 1;
    uint32_t k = 1;
    while ((uint64_t{1} << k) < n) ++k;
    const fs::path ptau = ensure_ptau(k);
    fs::create_directories(key.parent_path());
    const std::string tmp = temp_name(key);
    snark::groth16_setup(r1cs, ptau.string(), tmp);
    fs::rename(tmp, key);
    if (made) *made = true;
    return key.string();
}

// --- Children ---------------------------------------------------------------------------------

namespace {

// The signal handler's view of the children: plain slots it can read safely.
constexpr size_t kMaxChildren = 64;
std::atomic<pid_t> live_children[kMaxChildren];
std::atomic<bool> got_signal{false};

void on_signal(int)
{
    got_signal = true;
    for (auto& p : live_children) {
        const pid_t pid = p.load();
        if (pid > 0) ::kill(pid, SIGKILL);
    }
}

void track(pid_t pid, bool add)
{
    for (auto& p : live_children) {
        pid_t expected = add ? 0 : pid;
        if (p.compare_exchange_strong(expected, add ? pid : 0)) return;
    }
}

}  // namespace

Children::Children()
{
    struct sigaction action = {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

Children::~Children()
{
    stop_all(3000);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

bool Children::interrupted() { return got_signal.load(); }

pid_t Children::spawn(const std::vector<std::string>& args, const std::string& out_log, const std::string& err_log)
{
    if (pids_.size() >= kMaxChildren) throw std::runtime_error("demo: too many child processes");
    char self[4096];
    const ssize_t len = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) throw std::runtime_error("demo: cannot read /proc/self/exe");
    self[len] = '\0';
    std::vector<std::string> argv_text{self};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int out = ::open(out_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const int err = ::open(err_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out < 0 || err < 0) {
        if (out >= 0) ::close(out);
        if (err >= 0) ::close(err);
        throw std::runtime_error("demo: cannot open the log files " + out_log + ", " + err_log);
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(out);
        ::close(err);
        throw std::runtime_error("demo: fork failed");
    }
    if (pid == 0) {
        // The child dies with the demo, whatever kills the demo.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::dup2(out, 1);
        ::dup2(err, 2);
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::execv(self, argv.data());
        ::_exit(127);
    }
    ::close(out);
    ::close(err);
    pids_.push_back(pid);
    track(pid, true);
    if (got_signal) ::kill(pid, SIGKILL);
    return pid;
}

void Children::kill_now(pid_t pid)
{
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    track(pid, false);
    std::erase(pids_, pid);
}

void Children::stop_all(int grace_ms)
{
    for (pid_t pid : pids_) ::kill(pid, SIGTERM);
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
    std::vector<pid_t> left = pids_;
    while (!left.empty() && std::chrono::steady_clock::now() < end) {
        std::erase_if(left, [](pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) == pid; });
        if (!left.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (pid_t pid : left) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    for (pid_t pid : pids_) track(pid, false);
    pids_.clear();
}

}  // namespace provernet::cli::demo
