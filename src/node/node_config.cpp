// node.toml parsing (see node_config.hpp).
#include "node/node_config.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace provernet::node {

Fault fault_from_string(const std::string& name)
{
    if (name == "none") return Fault::none;
    if (name == "invalid-proof") return Fault::invalid_proof;
    if (name == "stall") return Fault::stall;
    throw std::runtime_error("--fault: \"" + name + "\" is not one of none, invalid-proof, stall");
}

namespace {

struct Reader {
    const toml::table& table;
    std::string source;

    [[noreturn]] void fail(const std::string& key, const std::string& what) const
    {
        throw std::runtime_error(source + ": " + key + ": " + what);
    }
    const toml::node* get(const std::string& key) const { return table.get(key); }

    void string(const std::string& key, std::string& out) const
    {
        if (const toml::node* n = get(key)) {
            auto v = n->value<std::string>();
            if (!v || !n->is_string()) fail(key, "must be a string");
            out = *v;
        }
    }
    void boolean(const std::string& key, bool& out) const
    {
        if (const toml::node* n = get(key)) {
            if (!n->is_boolean()) fail(key, "must be true or false");
            out = *n->value<bool>();
        }
    }
    void number(const std::string& key, double& out, double min, double max) const
    {
        if (const toml::node* n = get(key)) {
            if (!n->is_number()) fail(key, "must be a number");
            const double v = *n->value<double>();
            if (!(v >= min && v <= max)) fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
            out = v;
        }
    }
    // An integer, or a decimal string (amounts above 2^63).
    void u64(const std::string& key, uint64_t& out, uint64_t max = UINT64_MAX) const
    {
        const toml::node* n = get(key);
        if (!n) return;
        unsigned __int128 v = 0;
        if (n->is_integer()) {
            const int64_t i = *n->value<int64_t>();
            if (i < 0) fail(key, "must not be negative");
            v = static_cast<uint64_t>(i);
        } else if (n->is_string()) {
            const std::string s = *n->value<std::string>();
            if (s.empty() || s.size() > 20) fail(key, "\"" + s + "\" is not a decimal integer");
            for (char c : s) {
                if (c < '0' || c > '9') fail(key, "\"" + s + "\" is not a decimal integer");
                v = v * 10 + static_cast<unsigned>(c - '0');
            }
        } else {
            fail(key, "must be an integer or a decimal string");
        }
        if (v > max) fail(key, "must be at most " + std::to_string(max));
        out = static_cast<uint64_t>(v);
    }
};

std::string resolve(const std::string& base_dir, const std::string& path)
{
    if (path.empty() || std::filesystem::path(path).is_absolute() || base_dir.empty()) return path;
    return (std::filesystem::path(base_dir) / path).string();
}

}  // namespace

NodeConfig parse_node_config(const std::string& toml_text, const std::string& source, const std::string& base_dir)
{
    toml::table table;
    try {
        table = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        std::ostringstream s;
        s << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
        throw std::runtime_error(s.str());
    }
    static const std::set<std::string> known = {
        "key_file", "coordinator", "capacity", "cache_dir", "stake", "min_price_per_kconstraint", "listen_only",
        "max_consecutive_failures", "safety_factor", "margin_ms", "initial_seconds_per_constraint", "calibrate", "name", "rpc"};
    for (const auto& [key, value] : table)
        if (!known.count(std::string(key.str())))
            throw std::runtime_error(source + ": unknown key \"" + std::string(key.str()) + "\"");

    NodeConfig c;
    const Reader r{table, source};
    r.string("key_file", c.key_file);
    if (c.key_file.empty()) r.fail("key_file", "is required (make one with `provernet key new FILE`)");
    c.key_file = resolve(base_dir, c.key_file);
    r.string("coordinator", c.coordinator);
    if (c.coordinator.rfind("http://", 0) != 0) r.fail("coordinator", "must be an http://host:port URL");
    uint64_t capacity = c.capacity;
    r.u64("capacity", capacity, 64);
    if (capacity == 0) r.fail("capacity", "must be at least 1");
    c.capacity = static_cast<unsigned>(capacity);
    r.string("cache_dir", c.cache_dir);
    c.cache_dir = resolve(base_dir, c.cache_dir);
    r.u64("stake", c.stake);
    r.u64("min_price_per_kconstraint", c.min_price_per_kconstraint);
    r.boolean("listen_only", c.listen_only);
    uint64_t failures = c.max_consecutive_failures;
    r.u64("max_consecutive_failures", failures, 1'000);
    c.max_consecutive_failures = static_cast<unsigned>(failures);
    r.number("safety_factor", c.safety_factor, 1.0, 100.0);
    r.u64("margin_ms", c.margin_ms, 600'000);
    r.number("initial_seconds_per_constraint", c.initial_seconds_per_constraint, 1e-9, 1.0);
    r.boolean("calibrate", c.calibrate);
    r.string("name", c.name);
    r.string("rpc", c.rpc);
    if (!c.rpc.empty() && c.rpc.rfind("http://", 0) != 0) r.fail("rpc", "must be an http://host:port URL");
    return c;
}

NodeConfig read_node_config(const std::string& path)
{
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot read the node config");
    std::ostringstream s;
    s << in.rdbuf();
    return parse_node_config(s.str(), path, std::filesystem::path(path).parent_path().string());
}

}  // namespace provernet::node
