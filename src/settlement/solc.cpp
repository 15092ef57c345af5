#include "settlement/solc.hpp"

#include "settlement/hex.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#ifndef PROVERNET_SOURCE_DIR
#error "PROVERNET_SOURCE_DIR must be defined (see src/settlement/CMakeLists.txt)"
#endif

namespace provernet::settlement {

namespace {

// Loads soljson.js and calls its C entry point directly (no solc-js wrapper needed, so any
// soljson.js build works); argv: soljson.js path, input file.
constexpr const char* kDriver = R"(
const soljson = require(process.argv[1]);
const compile = soljson.cwrap('solidity_compile', 'string', ['string', 'number', 'number']);
const input = require('fs').readFileSync(process.argv[2], 'utf8');
process.stdout.write(compile(input, 0, 0));
)";

// A file in a fresh private temporary directory, removed with it.
struct TempFile {
    std::filesystem::path dir, path;
    explicit TempFile(const char* name)
    {
        char tmpl[] = "/tmp/provernet-solc-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr)
            throw SolcError(std::string("solc: cannot create a temporary directory: ") + std::strerror(errno));
        dir = tmpl;
        path = dir / name;
    }
    ~TempFile()
    {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

std::string read_file(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Runs node on the driver; returns its stdout. SolcError with its stderr if it fails.
std::string run_solcjs(const std::string& input_json)
{
    const std::string soljson = solcjs_path();
    if (!std::filesystem::exists(soljson))
        throw SolcError("solc: " + soljson + " not found (run `npm ci` in tools/, or set PROVERNET_SOLCJS)");
    const char* node_env = std::getenv("PROVERNET_NODE");
    const std::string node = node_env != nullptr && *node_env != 0 ? node_env : "node";

    TempFile input("input.json");
    {
        std::ofstream out(input.path, std::ios::binary);
        out << input_json;
        if (!out.flush())
            throw SolcError("solc: cannot write " + input.path.string());
    }
    const std::filesystem::path err_path = input.dir / "stderr.txt";

    int out_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0)
        throw SolcError(std::string("solc: pipe: ") + std::strerror(errno));
    const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (err_fd < 0) {
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        throw SolcError("solc: cannot create " + err_path.string());
    }
    const std::string input_path = input.path.string();
    const char* argv[] = {node.c_str(), "-e", kDriver, soljson.c_str(), input_path.c_str(), nullptr};
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        ::close(err_fd);
        throw SolcError(std::string("solc: fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        ::dup2(out_pipe[1], STDOUT_FILENO);
        ::dup2(err_fd, STDERR_FILENO);
        ::execvp(argv[0], const_cast<char* const*>(argv));
        const std::string msg = "cannot execute " + node + ": " + std::strerror(errno) + "\n";
        (void)!::write(STDERR_FILENO, msg.data(), msg.size());
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_fd);
    std::string output;
    char buf[65536];
    for (;;) {
        const ssize_t got = ::read(out_pipe[0], buf, sizeof buf);
        if (got > 0)
            output.append(buf, size_t(got));
        else if (got == 0 || errno != EINTR)
            break;
    }
    ::close(out_pipe[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::string err = read_file(err_path);
        if (err.size() > 4000)
            err = "..." + err.substr(err.size() - 4000);
        throw SolcError("solc: " + node + " running " + soljson + " failed (status " + std::to_string(status) +
                        "): " + err);
    }
    return output;
}

Bytes bytecode(const nlohmann::json& evm, const char* key, const std::string& name)
{
    const auto it = evm.find(key);
    if (it == evm.end() || !it->contains("object") || !(*it)["object"].is_string())
        throw SolcError("solc: output for " + name + " has no " + key + ".object");
    const std::string hex = (*it)["object"].get<std::string>();
    if (hex.find("__$") != std::string::npos)
        throw SolcError("solc: " + name + " needs library linking, which is not supported");
    return from_hex("0x" + hex, name + " " + key);
}

}  // namespace

std::string solcjs_path()
{
    const char* env = std::getenv("PROVERNET_SOLCJS");
    if (env != nullptr && *env != 0)
        return env;
    return std::string(PROVERNET_SOURCE_DIR) + "/tools/node_modules/solc/soljson.js";
}

std::map<std::string, CompiledContract> compile_solidity(const std::map<std::string, std::string>& sources)
{
    if (sources.empty())
        throw SolcError("solc: no sources");
    nlohmann::json input = {
        {"language", "Solidity"},
        {"sources", nlohmann::json::object()},
        {"settings",
         {{"optimizer", {{"enabled", true}, {"runs", 200}}},
          {"evmVersion", "cancun"},
          {"outputSelection", {{"*", {{"*", {"abi", "evm.bytecode.object", "evm.deployedBytecode.object"}}}}}}}},
    };
    for (const auto& [file, text] : sources)
        input["sources"][file] = {{"content", text}};

    const std::string raw = run_solcjs(input.dump());
    nlohmann::json output;
    try {
        output = nlohmann::json::parse(raw);
    } catch (const nlohmann::json::exception& e) {
        throw SolcError(std::string("solc: unparsable output: ") + e.what() + ": " + raw.substr(0, 500));
    }

    std::string errors;
    if (output.contains("errors")) {
        for (const auto& e : output["errors"]) {
            if (e.value("severity", "") != "error")
                continue;
            errors += e.value("formattedMessage", e.value("message", e.dump()));
            if (errors.empty() || errors.back() != '\n')
                errors += '\n';
        }
    }
    if (!errors.empty())
        throw SolcError("solc: compilation failed:\n" + errors);

    std::map<std::string, CompiledContract> result;
    std::map<std::string, std::string> defined_in;
    if (output.contains("contracts")) {
        for (const auto& [file, contracts] : output["contracts"].items()) {
            for (const auto& [name, c] : contracts.items()) {
                if (const auto it = defined_in.find(name); it != defined_in.end())
                    throw SolcError("solc: contract name " + name + " is defined in both " + it->second + " and " +
                                    file);
                defined_in[name] = file;
                if (!c.contains("evm") || !c.contains("abi"))
                    throw SolcError("solc: output for " + name + " lacks evm or abi");
                result[name] = CompiledContract{name, bytecode(c["evm"], "bytecode", name),
                                                bytecode(c["evm"], "deployedBytecode", name), c["abi"]};
            }
        }
    }
    return result;
}

CompiledContract compile_solidity_contract(const std::map<std::string, std::string>& sources,
                                           std::string_view contract_name)
{
    auto all = compile_solidity(sources);
    const auto it = all.find(std::string(contract_name));
    if (it == all.end()) {
        std::string names;
        for (const auto& [name, c] : all)
            names += (names.empty() ? "" : ", ") + name;
        throw SolcError("solc: no contract " + std::string(contract_name) + " in the sources (found: " +
                        (names.empty() ? "none" : names) + ")");
    }
    return std::move(it->second);
}

}  // namespace provernet::settlement
