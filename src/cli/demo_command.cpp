// provernet demo [--dir DIR] [--nodes N] [--keep] [--evm] (see demo_command.hpp); the --evm parts are in
// demo_evm.cpp.
#include "cli/demo_command.hpp"
#include "cli/demo_driver.hpp"

#include "coordinator/client.hpp"
#include "finance/program.hpp"
#include "market/types.hpp"
#include "settlement/keys.hpp"
#include "snark/groth16_verifier.hpp"
#include "snark/json_io.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace provernet::cli {

namespace demo {

using coordinator::Client;

const std::vector<Workload> kWorkloads = {
    {"liquidation-8x4", market::Priority::liquidation, 8000, 4000},
    {"portfolio-margin-1x2", market::Priority::margin, 6000, 3000},
    {"black-scholes-4", market::Priority::pricing, 4000, 2000},
    {"state-transition-d8-s1-t1", market::Priority::batch, 2000, 1000},
};

namespace {

const Clock::time_point demo_start = Clock::now();

std::string elapsed()
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "[%6.1fs]", std::chrono::duration<double>(Clock::now() - demo_start).count());
    return buf;
}

}  // namespace

void say(const std::string& line) { std::cout << elapsed() << " " << line << std::endl; }

std::string read_text(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

uint64_t amount(const json& j)  // amounts are decimal strings
{
    if (j.is_string()) return std::stoull(j.get<std::string>());
    if (j.is_number_unsigned()) return j.get<uint64_t>();
    return 0;
}

void check_interrupt()
{
    if (Children::interrupted()) throw std::runtime_error("interrupted");
}

std::string short_address(const std::string& a) { return a.size() > 10 ? a.substr(0, 6) + ".." + a.substr(a.size() - 4) : a; }

std::string pad(std::string s, size_t w, bool right)
{
    if (s.size() >= w) return s;
    return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

std::string Demo::name_of(const std::string& address) const
{
    for (const auto& n : nodes_)
        if (n.address == address) return n.name;
    return address.empty() ? "-" : short_address(address);
}

// The program's input from the examples directory, or its built-in example.
json Demo::example_input(const finance::Program& p) const
{
    const fs::path file = fs::path(args_.examples) / (p.name + ".json");
    if (!fs::exists(file))
        return p.example_input;
    std::ifstream in(file);
    try {
        return json::parse(in);
    } catch (const json::parse_error& e) {
        throw std::runtime_error(file.string() + ": malformed JSON: " + e.what());
    }
}

void Demo::make_keys()
{
    say("development keys (cached under ~/.cache/provernet; single-party setup: DEVELOPMENT ONLY)");
    for (const auto& w : kWorkloads) {
        const auto t = Clock::now();
        bool made = false;
        zkeys_[w.program] = demo::ensure_dev_key(w.program, &made);
        say("  " + w.program + ": " + (made ? "made " : "cached ") + zkeys_[w.program] +
            (made ? " (" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - t).count()) + " s)" : ""));
        check_interrupt();
    }
}

// settlement_args: the embedded ledger's operator, or --settlement evm and its chain.
void Demo::start_coordinator(const std::vector<std::string>& settlement_args)
{
    const fs::path out = dir_ / "coordinator.out";
    std::vector<std::string> args{"coordinator", "--data-dir", (dir_ / "coord").string(), "--listen", "127.0.0.1:0"};
    args.insert(args.end(), settlement_args.begin(), settlement_args.end());
    children_.spawn(args, out.string(), (dir_ / "coordinator.log").string());
    const std::regex listening("listening on (http://[0-9.]+:[0-9]+)");
    const bool up = wait_until([&] {
        std::smatch m;
        const std::string text = read_text(out);
        if (!std::regex_search(text, m, listening)) return false;
        url_ = m[1];
        return true;
    }, 30);
    if (!up) throw std::runtime_error("the coordinator did not start (see " + (dir_ / "coordinator.log").string() + ")");
    if (operator_) say("coordinator at " + url_ + " (operator " + short_address(operator_->address()) + ")");
    else say("coordinator at " + url_ + " (settlement evm, keeper: dev key 0)");
}

void Demo::register_circuits()
{
    Client reader(url_);
    for (const auto& w : kWorkloads) {
        const json r = reader.register_circuit(w.program, read_text(zkeys_[w.program]));
        circuits_[w.program] = r.at("circuit").get<std::string>();
        constraints_[w.program] = r.value("constraints", uint64_t{0});
        say("registered " + w.program + ": circuit " + circuits_[w.program].substr(0, 12) + ".., " +
            std::to_string(constraints_[w.program]) + " constraints");
    }
}

void Demo::fund_embedded()
{
    Client op(url_, operator_);
    op.deposit(requester_->address(), kRequesterFunds);
    say("deposited " + std::to_string(kRequesterFunds) + " to the requester " + short_address(requester_->address()));
    for (unsigned i = 0; i < args_.nodes; ++i) {
        Node n;
        n.name = "node-" + std::to_string(i + 1);
        const auto key = settlement::PrivateKey::generate();
        coordinator::write_key_file((dir_ / (n.name + ".key")).string(), key);
        n.address = key.address().to_lower_string();
        n.log = dir_ / (n.name + ".log");
        op.deposit(n.address, kProverFunds);
        nodes_.push_back(n);
    }
    say("deposited " + std::to_string(kProverFunds) + " to each of " + std::to_string(args_.nodes) + " provers");
}

void Demo::start_nodes()
{
    for (auto& n : nodes_) {
        const fs::path toml = dir_ / (n.name + ".toml");
        std::ofstream(toml) << "key_file = \"" << n.name << ".key\"\n"
                            << "coordinator = \"" << url_ << "\"\n"
                            << "capacity = 1\n"
                            << "cache_dir = \"cache-" << n.name << "\"\n"
                            << "stake = " << kProverStake << "\n"
                            << "name = \"" << n.name << "\"\n"
                            << "max_consecutive_failures = 3\n";
        n.pid = children_.spawn({"node", "--config", toml.string()}, n.log.string(), n.log.string());
    }
    // Each node registers, stakes and calibrates with one real proof before following the stream.
    const std::regex calibrated("calibrated on [^:]*: ([0-9.]+) s, ([0-9.eE+-]+) s per constraint");
    for (auto& n : nodes_) {
        if (!wait_until([&] { return read_text(n.log).find("connected to the coordinator stream") != std::string::npos; },
                        300, 200))
            throw std::runtime_error(n.name + " did not start (see " + n.log.string() + ")");
        std::smatch m;
        const std::string text = read_text(n.log);
        if (std::regex_search(text, m, calibrated))
            seconds_per_constraint_ = std::max(seconds_per_constraint_ == 0.0005 ? 0.0 : seconds_per_constraint_,
                                               std::stod(m[2]));
        say(n.name + " " + short_address(n.address) + " up: staked " + std::to_string(kProverStake) +
            (m.empty() ? "" : ", calibrated " + std::string(m[2]) + " s per constraint"));
    }
}

void Demo::submit_all()
{
    // Deadlines from the nodes' measured speed: the slowest proof with the nodes' safety factor,
    // for a queue of a few proofs per node before the lock deadline, and after it enough time for
    // another node to take over a lapsed lock.
    uint64_t largest = 1;
    for (const auto& [p, c] : constraints_) largest = std::max(largest, c);
    const double proof_s = std::max(0.5, seconds_per_constraint_ * double(largest));
    lock_ms_ = uint64_t(std::max(20.0, 10.0 + 4 * 1.5 * proof_s) * 1000);
    timeout_ms_ = lock_ms_ + uint64_t(std::max(30.0, 10.0 + 6 * 1.5 * proof_s) * 1000);
    char buf[160];
    std::snprintf(buf, sizeof buf, "slowest proof ~%.1f s: lock deadline +%.0f s, final deadline +%.0f s", proof_s,
                  lock_ms_ / 1000.0, timeout_ms_ / 1000.0);
    say(buf);
    const auto& programs = finance::finance_programs();
    for (unsigned copy = 0; copy < kCopies; ++copy)
        for (const auto& w : kWorkloads) {
            const finance::Program* p = programs.find(w.program);
            if (!p) throw std::runtime_error("demo: program " + w.program + " not in the finance registry");
            if (chain_) submit_on_chain(w, *p, copy);
            else submit_embedded(w, *p, copy);
        }
}

void Demo::submit_embedded(const Workload& w, const finance::Program& p, unsigned copy)
{
    Client c(url_, requester_);
    coordinator::SubmitRequest r;
    r.idempotency_key = "demo-" + std::to_string(coordinator::unix_ms()) + "-" + w.program + "-" + std::to_string(copy);
    r.circuit = circuits_[w.program];
    r.inputs = example_input(p);
    r.priority = w.priority;
    r.max_price = w.max_price;
    r.min_price = w.max_price / 4;
    const uint64_t now = coordinator::unix_ms();
    r.ramp_start_ms = now;
    r.ramp_period_ms = 4000;
    r.lock_deadline_ms = now + lock_ms_;
    r.final_deadline_ms = now + timeout_ms_;
    r.collateral = w.collateral;
    const json answer = c.submit_request(r);
    Tracked t;
    t.id = answer.at("request_id").get<uint64_t>();
    t.work = &w;
    requests_.push_back(t);
    say("request " + std::to_string(t.id) + " submitted: " + w.program + ", " + std::string(market::to_string(w.priority)) +
        ", price " + std::to_string(r.min_price) + ".." + std::to_string(r.max_price) + ", collateral " +
        std::to_string(w.collateral));
}

// Polls the requests and the node logs until every request is closed and the killed node is
// slashed (or the final deadline has long passed). Kills the first node seen proving.
bool Demo::follow()
{
    Client reader(url_);
    const std::regex proving("proving request ([0-9]+) ");
    const auto give_up = Clock::now() + std::chrono::milliseconds(timeout_ms_ + 30'000);
    bool slash_seen = false;
    bool kill_untold = false;  // --evm: killed before the coordinator indexed its lock
    Clock::time_point killed_at{};
    while (Clock::now() < give_up) {
        check_interrupt();
        bool all_closed = true;
        for (auto& t : requests_) {
            if (t.state == "fulfilled" || t.state == "expired" || t.state == "cancelled") continue;
            if (t.id == 0 && !resolve_chain_id(t)) {  // --evm: not indexed yet
                all_closed = false;
                continue;
            }
            json r;
            try {
                r = reader.request(t.id);
            } catch (const std::exception&) {
                all_closed = false;
                continue;
            }
            const std::string state = r.value("state", "?"), holder = r.value("holder", ""),
                              by = r.value("fulfilled_by", "");
            const bool forfeited = r.value("forfeited", false);
            const std::string label = "request " + std::to_string(t.id) + " (" + t.work->program + ")";
            if (!holder.empty() && holder != t.holder && state == "locked") {
                if (t.first_holder.empty()) t.first_holder = holder;
                say(label + ": locked by " + name_of(holder) + " at price " + std::to_string(amount(r["lock_price"])) +
                    " (collateral " + std::to_string(amount(r["collateral"])) + ")");
            }
            if (forfeited && !t.forfeited)
                say("*** " + label + ": " + name_of(holder) + " SLASHED (missed its lock deadline)");
            if (state == "fulfilled" && t.state != "fulfilled")
                say(label + ": fulfilled by " + name_of(by) + ", paid " + std::to_string(amount(r["paid_price"])) +
                    (forfeited ? " (took over from " + name_of(t.first_holder) + ")" : ""));
            else if (state != t.state && state != "locked" && state != "open")
                say(label + ": " + state);
            t.state = state;
            t.holder = holder;
            t.fulfilled_by = by;
            t.forfeited = forfeited;
            t.last = r;
            if (state != "fulfilled" && state != "expired" && state != "cancelled") all_closed = false;
        }
        // After reading the requests, so the victim's lock is reported before its death.
        if (!killed_node_)
            for (size_t i = 0; i < nodes_.size() && !killed_node_; ++i) {
                std::smatch m;
                const std::string text = read_text(nodes_[i].log);
                if (!std::regex_search(text, m, proving)) continue;
                children_.kill_now(nodes_[i].pid);
                nodes_[i].killed = true;
                killed_node_ = i;
                killed_request_ = std::stoull(m[1]);
                kill_untold = true;
                killed_at = Clock::now();
            }
        // With --evm the node locks on chain and the coordinator indexes the lock a moment later:
        // the kill is told once the lock has been (or after two seconds).
        if (kill_untold) {
            bool lock_told = !chain_ || Clock::now() - killed_at > std::chrono::seconds(2);
            for (const auto& t : requests_) lock_told |= t.id == killed_request_ && !t.first_holder.empty();
            if (lock_told) {
                say("*** " + nodes_[*killed_node_].name + " killed (SIGKILL) mid-proof of request " +
                    std::to_string(killed_request_) + ": its lock lapses, another node must take over");
                kill_untold = false;
            }
        }
        if (killed_node_ && !slash_seen) {
            try {
                const json a = reader.account(nodes_[*killed_node_].address);
                if (a.contains("prover") && a["prover"].value("missed", uint64_t{0}) >= 1) {
                    slash_seen = true;
                    say("*** " + nodes_[*killed_node_].name + " slashed: " + std::to_string(amount(a["prover"]["slashed_total"])) +
                        " collateral (missed " + std::to_string(a["prover"].value("missed", uint64_t{0})) + ")");
                }
            } catch (const std::exception&) {
            }
        }
        // A kill that came too late (the proof was already delivered) can produce no slash.
        bool kill_too_late = false;
        for (const auto& t : requests_)
            if (killed_node_ && t.id == killed_request_ && t.state == "fulfilled" &&
                t.fulfilled_by == nodes_[*killed_node_].address)
                kill_too_late = true;
        if (all_closed && (slash_seen || !killed_node_ || kill_too_late)) return true;
        // Poll tightly until the victim is killed: it must die before its proof is delivered.
        std::this_thread::sleep_for(std::chrono::milliseconds(killed_node_ ? 200 : 30));
    }
    return false;
}

bool Demo::report()
{
    Client reader(url_);
    bool ok = true;
    std::cout << "\nRequests\n";
    std::cout << pad("id", 4, true) << "  " << pad("program", 26) << pad("priority", 12) << pad("price", 7, true) << "  "
              << pad("prover", 8) << pad("latency", 9, true) << "  settlement\n";
    uint64_t paid_total = 0, fulfilled = 0;
    std::map<std::string, uint64_t> paid_to;  // prices paid, by prover
    for (const auto& t : requests_) {
        const json& r = t.last;
        const uint64_t price = amount(r.value("paid_price", json("0")));
        char latency[32] = "-";
        std::string settlement;
        if (t.state == "fulfilled") {
            ++fulfilled;
            paid_total += price;
            paid_to[t.fulfilled_by] += price;
            std::snprintf(latency, sizeof latency, "%.1f s",
                          (r.value("closed_at", uint64_t{0}) - r.value("submitted_at", uint64_t{0})) / 1000.0);
            if (t.forfeited) settlement = "fulfilled by secondary + bounty (" + name_of(t.first_holder) + " slashed)";
            else if (r.value("locked_at", uint64_t{0}) == 0) settlement = "paid (fulfilled without a lock)";
            else settlement = "paid";
        } else {
            ok = false;
            settlement = t.state == "expired" ? "refunded (expired)" : t.state;
        }
        std::cout << pad(std::to_string(t.id), 4, true) << "  " << pad(t.work->program, 26)
                  << pad(std::string(market::to_string(t.work->priority)), 12) << pad(std::to_string(price), 7, true) << "  "
                  << pad(t.state == "fulfilled" ? name_of(t.fulfilled_by) : "-", 8) << pad(latency, 9, true) << "  "
                  << settlement << "\n";
    }

    std::cout << "\nProvers\n";
    std::cout << pad("prover", 8) << pad("address", 14) << pad("fulfilled", 10, true) << pad("missed", 8, true)
              << pad("invalid", 8, true) << pad("earned", 9, true) << pad("slashed", 9, true) << "\n";
    uint64_t earned_total = 0, slashed_total = 0, held_total = 0, fulfilled_records = 0;
    bool killed_slashed = false;
    for (const auto& n : nodes_) {
        const json a = reader.account(n.address);
        const json p = a.value("prover", json::object());
        const uint64_t earned = amount(a["ledger"]["earned"]), slashed = amount(a["ledger"]["slashed"]);
        earned_total += earned;
        slashed_total += slashed;
        fulfilled_records += p.value("fulfilled", uint64_t{0});
        const json& acc = a["account"];
        held_total += amount(acc["balance"]) + amount(acc["stake"]) + amount(acc["locked"]);
        for (const auto& pend : acc.value("pending", json::array())) held_total += amount(pend["amount"]);
        if (n.killed && p.value("missed", uint64_t{0}) >= 1 && slashed > 0) killed_slashed = true;
        std::cout << pad(n.name + (n.killed ? "*" : ""), 8) << pad(short_address(n.address), 14)
                  << pad(std::to_string(p.value("fulfilled", uint64_t{0})), 10, true)
                  << pad(std::to_string(p.value("missed", uint64_t{0})), 8, true)
                  << pad(std::to_string(p.value("invalid", uint64_t{0})), 8, true) << pad(std::to_string(earned), 9, true)
                  << pad(std::to_string(slashed), 9, true) << "\n";
    }
    if (killed_node_) std::cout << "(* killed mid-proof)\n";
    const auto say_kill = [&] {
        if (!killed_node_) std::cout << "no node was seen proving, so none was killed\n";
        else if (!killed_slashed) std::cout << "the killed node " << nodes_[*killed_node_].name << " was NOT slashed\n";
    };
    if (chain_) {
        say_kill();
        const bool chain_ok = chain_checks({paid_total, fulfilled, earned_total, fulfilled_records});
        return ok && chain_ok && killed_node_ && killed_slashed;
    }

    // Checks against the coordinator's accounts: every deposit is held somewhere or burned, the
    // requester paid exactly the prices of its fulfilled requests, and the provers earned those
    // prices plus the bounties of the slashes (nothing paid twice).
    const json info = reader.info();
    const uint64_t burn_bps = info.contains("config") ? info["config"].value("slash_burn_bps", uint64_t{5000}) : 5000;
    const uint64_t burned = slashed_total * burn_bps / 10'000, bounties = slashed_total - burned;
    const json req = reader.account(requester_->address());
    const uint64_t requester_held = amount(req["account"]["balance"]);
    const uint64_t deposited = kRequesterFunds + kProverFunds * nodes_.size();
    const bool conserved = requester_held + held_total + burned == deposited;
    const bool requester_paid = kRequesterFunds - requester_held == paid_total;
    const bool earned_once = earned_total == paid_total + bounties && fulfilled_records == fulfilled;
    std::cout << "\ncheck: deposits " << deposited << " = held " << requester_held + held_total << " + burned " << burned
              << (conserved ? " (conserved)" : " MISMATCH") << "; requester paid " << kRequesterFunds - requester_held
              << " = prices " << paid_total << (requester_paid ? "" : " MISMATCH") << "; provers earned " << earned_total
              << " = prices + bounties " << paid_total + bounties << ", " << fulfilled_records << " fulfilments for "
              << fulfilled << " fulfilled requests" << (earned_once ? " (no request paid twice)" : " MISMATCH") << "\n";
    say_kill();
    return ok && conserved && requester_paid && earned_once && killed_node_ && killed_slashed;
}

bool Demo::verify_one()
{
    // The request the killed node held, proved by another node: the most interesting proof.
    const Tracked* pick = nullptr;
    for (const auto& t : requests_)
        if (t.state == "fulfilled" && (!pick || t.id == killed_request_)) pick = &t;
    if (!pick) return false;
    Client reader(url_);
    // --evm: the proof as the fulfil transaction carried it to the contract.
    std::optional<json> from_chain;
    if (chain_ && !(from_chain = proof_from_chain(*pick))) {
        std::cout << "FAILED: no fulfil transaction found for request " << pick->id << "\n";
        return false;
    }
    const json answer = from_chain ? *from_chain : reader.proof(pick->id);
    const std::string circuit = circuits_[pick->work->program];
    const snark::VerificationKey vk = snark::parse_verification_key_json(reader.verification_key(circuit), "vk of " + circuit);
    const snark::Proof proof = snark::parse_proof_json(answer.at("proof").dump(), "proof of request " + std::to_string(pick->id));
    const auto signals = snark::parse_public_json(answer.at("public_signals").dump(), "public signals");
    const bool ok = snark::groth16_verify(vk, signals, proof);
    std::cout << (ok ? "OK" : "FAILED") << ": proof of request " << pick->id << " (" << pick->work->program << ", by "
              << name_of(answer.value("prover", "")) << (from_chain ? ", from its fulfil transaction " + answer.value("tx", "") : "")
              << ") " << (ok ? "verifies" : "does NOT verify")
              << " against circuit " << circuit.substr(0, 12) << ".. (Groth16, BN254)\n";
    return ok;
}

int Demo::run()
{
    if (args_.evm) require_anvil();  // before the keys: a missing anvil fails at once
    make_keys();
    bool temp = false;
    if (args_.dir.empty()) {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/provernet-demo.XXXXXX";
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("demo: cannot create a temporary directory");
        dir_ = pattern;
        temp = true;
    } else {
        dir_ = args_.dir;
        fs::create_directories(dir_);
        if (fs::exists(dir_ / "coord"))
            throw std::runtime_error("demo: " + (dir_ / "coord").string() + " exists (a previous demo): give an empty --dir");
    }
    say("working in " + dir_.string() + " (logs: coordinator.log, node-N.log" + (args_.evm ? ", deploy.log)" : ")"));
    int rc = 1;
    try {
        if (args_.evm) {
            start_chain();
            start_coordinator(coordinator_evm_args());
            register_circuits();
            make_evm_nodes();
        } else {
            operator_ = std::make_shared<coordinator::ActionSigner>(settlement::PrivateKey::generate());
            requester_ = std::make_shared<coordinator::ActionSigner>(settlement::PrivateKey::generate());
            start_coordinator({"--operator", operator_->address()});
            register_circuits();
            fund_embedded();
        }
        start_nodes();
        submit_all();
        const bool settled = follow();
        if (!settled) say("timed out waiting for every request to close");
        const bool checks = report();
        const bool verified = verify_one();
        rc = settled && checks && verified ? 0 : 1;
    } catch (...) {
        children_.stop_all(1000);
        if (temp && !args_.keep) fs::remove_all(dir_);
        else std::cerr << "kept " << dir_.string() << "\n";
        throw;
    }
    children_.stop_all();
    if (temp && !args_.keep) fs::remove_all(dir_);
    else std::cout << "kept " << dir_.string() << "\n";
    std::cout << (rc == 0 ? "demo passed" : "demo FAILED") << " in "
              << std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - demo_start).count() << " s\n";
    return rc;
}

}  // namespace demo

void add_demo_command(CLI::App& app)
{
    using demo::Demo;
    using demo::DemoArgs;
    auto args = std::make_shared<DemoArgs>();
    auto* cmd = app.add_subcommand("demo", "the network on loopback: a coordinator, prover nodes, finance requests, a "
                                           "node killed mid-proof, and who was paid and slashed");
    cmd->add_option("--examples", args->examples, "directory of <program>.json inputs")->capture_default_str();
    cmd->add_option("--dir", args->dir, "working directory (default: a fresh temporary one, removed at the end)");
    cmd->add_option("--nodes", args->nodes, "prover nodes (one is killed mid-proof)")->capture_default_str()->check(CLI::Range(2u, 8u));
    cmd->add_flag("--keep", args->keep, "keep the working directory (logs, databases)");
    cmd->add_flag("--evm", args->evm,
                  "settle on a local anvil that the demo starts (contracts deployed, requests submitted on chain)");
    cmd->callback([args] { throw CLI::RuntimeError(Demo(*args).run()); });
}

}  // namespace provernet::cli
