// provernet request / circuit register / key (see request_command.hpp).
#include "cli/request_command.hpp"

#include "coordinator/client.hpp"
#include "snark/groth16_verifier.hpp"
#include "snark/json_io.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>

namespace provernet::cli {

namespace {

using coordinator::Client;

std::string read_text(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Client signed_client(const std::string& url, const std::string& key_file)
{
    return Client(url, std::make_shared<coordinator::ActionSigner>(coordinator::read_key_file(key_file)));
}

struct Common {
    std::string coordinator = "http://127.0.0.1:8700";
    std::string key;
};

void add_coordinator_option(CLI::App* cmd, Common& c)
{
    cmd->add_option("--coordinator", c.coordinator, "coordinator URL")->capture_default_str();
}

struct SubmitArgs {
    Common common;
    std::string circuit, inputs, priority = "batch", idempotency_key;
    uint64_t min_price = 0, max_price = 0, collateral = 0;
    uint64_t ramp_ms = 0, lock_ms = 30'000, timeout_ms = 60'000;
    uint64_t at_ms = 0;  // the reference time of the ramp and deadlines; 0: now
};

int submit(const SubmitArgs& a)
{
    coordinator::SubmitRequest r;
    r.circuit = a.circuit;
    try {
        r.inputs = nlohmann::json::parse(read_text(a.inputs));
    } catch (const nlohmann::json::parse_error& e) {
        throw std::runtime_error(a.inputs + ": not JSON: " + e.what());
    }
    auto priority = market::priority_from_string(a.priority);
    if (!priority) throw std::runtime_error("--priority: \"" + a.priority + "\" is not liquidation, margin, pricing or batch");
    r.priority = *priority;
    r.min_price = a.min_price;
    r.max_price = a.max_price;
    if (r.min_price > r.max_price) throw std::runtime_error("--min-price is above --max-price");
    r.collateral = a.collateral;
    const uint64_t now = a.at_ms != 0 ? a.at_ms : coordinator::unix_ms();
    r.ramp_start_ms = now;
    r.ramp_period_ms = a.ramp_ms;
    r.lock_deadline_ms = now + a.lock_ms;
    r.final_deadline_ms = now + a.timeout_ms;
    if (a.timeout_ms < a.lock_ms) throw std::runtime_error("--timeout-ms must not be below --lock-ms");
    r.idempotency_key = a.idempotency_key;
    if (r.idempotency_key.empty()) {
        std::random_device rd;
        std::ostringstream s;
        s << "cli-" << now << "-" << std::hex << rd() << rd();
        r.idempotency_key = s.str();
    }
    Client c = signed_client(a.common.coordinator, a.common.key);
    const nlohmann::json answer = c.submit_request(r);
    std::cout << answer.at("request_id").get<uint64_t>() << std::endl;
    if (answer.value("duplicate", false)) std::cerr << "(duplicate: the request of this idempotency key)" << std::endl;
    return 0;
}

int get(const Common& c, uint64_t id, const std::string& out)
{
    Client client(c.coordinator);
    const nlohmann::json request = client.request(id);
    const nlohmann::json answer = client.proof(id);
    const std::string circuit = request.at("spec").at("circuit_id").get<std::string>();
    const snark::VerificationKey vk = snark::parse_verification_key_json(client.verification_key(circuit), "vk of " + circuit);
    const std::string proof_text = answer.at("proof").dump();
    const std::string signals_text = answer.at("public_signals").dump();
    const snark::Proof proof = snark::parse_proof_json(proof_text, "proof of request " + std::to_string(id));
    const std::vector<math::U256> signals = snark::parse_public_json(signals_text, "public signals of request " + std::to_string(id));
    std::filesystem::create_directories(out);
    snark::write_proof_json((std::filesystem::path(out) / "proof.json").string(), proof);
    snark::write_public_json((std::filesystem::path(out) / "public.json").string(), signals);
    snark::write_verification_key_json((std::filesystem::path(out) / "verification_key.json").string(), vk);
    if (!snark::groth16_verify(vk, signals, proof)) {
        std::cerr << "request " << id << ": the proof does NOT verify against circuit " << circuit << std::endl;
        return 1;
    }
    std::cout << "OK: request " << id << " proved by " << answer.value("prover", "?") << ", verified against circuit "
              << circuit << "; wrote " << out << "/proof.json, public.json, verification_key.json" << std::endl;
    return 0;
}

}  // namespace

void add_request_commands(CLI::App& app)
{
    auto* req = app.add_subcommand("request", "requester and operator calls to a coordinator");
    req->require_subcommand(1);

    auto sa = std::make_shared<SubmitArgs>();
    auto* sub = req->add_subcommand("submit", "submit a proof request; prints its id");
    add_coordinator_option(sub, sa->common);
    sub->add_option("--key", sa->common.key, "requester key file")->required()->check(CLI::ExistingFile);
    sub->add_option("--circuit", sa->circuit, "circuit identity (from provernet circuit register)")->required();
    sub->add_option("--inputs", sa->inputs, "input.json")->required()->check(CLI::ExistingFile);
    sub->add_option("--max-price", sa->max_price, "price reached after the ramp (escrowed)")->required();
    sub->add_option("--min-price", sa->min_price, "price at the start of the ramp");
    sub->add_option("--ramp-ms", sa->ramp_ms, "ramp duration from min to max price");
    sub->add_option("--lock-ms", sa->lock_ms, "lock deadline, from now")->capture_default_str();
    sub->add_option("--timeout-ms", sa->timeout_ms, "final deadline, from now")->capture_default_str();
    sub->add_option("--priority", sa->priority, "liquidation, margin, pricing or batch")->capture_default_str();
    sub->add_option("--collateral", sa->collateral, "stake a prover locks with the request");
    sub->add_option("--idempotency-key", sa->idempotency_key, "resubmitting with it returns the same request");
    sub->add_option("--at-ms", sa->at_ms,
                    "Unix ms the ramp starts and the deadlines count from (default now); a resubmission with the "
                    "same --idempotency-key must repeat it to name the same request");
    sub->callback([sa] { throw CLI::RuntimeError(submit(*sa)); });

    auto common = std::make_shared<Common>();
    auto id = std::make_shared<uint64_t>(0);
    auto* status = req->add_subcommand("status", "print a request (state, holder, price, ...) as JSON");
    add_coordinator_option(status, *common);
    status->add_option("id", *id, "request id")->required();
    status->callback([common, id] {
        std::cout << Client(common->coordinator).request(*id).dump(1) << std::endl;
        throw CLI::RuntimeError(0);
    });

    auto out = std::make_shared<std::string>();
    auto* getc = req->add_subcommand("get", "fetch a fulfilled request's proof, check it, write proof.json/public.json");
    add_coordinator_option(getc, *common);
    getc->add_option("id", *id, "request id")->required();
    getc->add_option("--out", *out, "output directory")->required();
    getc->callback([common, id, out] { throw CLI::RuntimeError(get(*common, *id, *out)); });

    auto* cancel = req->add_subcommand("cancel", "withdraw an unlocked request (full refund)");
    add_coordinator_option(cancel, *common);
    cancel->add_option("id", *id, "request id")->required();
    cancel->add_option("--key", common->key, "requester key file")->required()->check(CLI::ExistingFile);
    cancel->callback([common, id] {
        signed_client(common->coordinator, common->key).cancel(*id);
        std::cout << "cancelled request " << *id << std::endl;
        throw CLI::RuntimeError(0);
    });

    auto account = std::make_shared<std::string>();
    auto amount = std::make_shared<uint64_t>(0);
    auto* dep = req->add_subcommand("deposit", "operator: credit an account (embedded settlement)");
    add_coordinator_option(dep, *common);
    dep->add_option("--account", *account, "0x address")->required();
    dep->add_option("--amount", *amount, "base units")->required();
    dep->add_option("--key", common->key, "operator key file")->required()->check(CLI::ExistingFile);
    dep->callback([common, account, amount] {
        signed_client(common->coordinator, common->key).deposit(*account, *amount);
        std::cout << "deposited " << *amount << " to " << *account << std::endl;
        throw CLI::RuntimeError(0);
    });

    auto* acc = req->add_subcommand("account", "print an account (balance, stake, prover record) as JSON");
    add_coordinator_option(acc, *common);
    acc->add_option("address", *account, "0x address")->required();
    acc->callback([common, account] {
        std::cout << Client(common->coordinator).account(*account).dump(1) << std::endl;
        throw CLI::RuntimeError(0);
    });

    // circuit register
    CLI::App* circ = nullptr;
    try {
        circ = app.get_subcommand("circuit");
    } catch (const CLI::OptionNotFound&) {
        circ = app.add_subcommand("circuit", "circuits");
    }
    auto program = std::make_shared<std::string>();
    auto zkey = std::make_shared<std::string>();
    auto* reg = circ->add_subcommand("register", "upload a program's proving key to a coordinator; prints its identity");
    add_coordinator_option(reg, *common);
    reg->add_option("program", *program, "program name")->required();
    reg->add_option("--zkey", *zkey, "the program's .zkey (provernet setup)")->required()->check(CLI::ExistingFile);
    reg->callback([common, program, zkey] {
        const nlohmann::json r = Client(common->coordinator).register_circuit(*program, read_text(*zkey));
        std::cout << r.at("circuit").get<std::string>() << std::endl;
        std::cerr << *program << ": " << r.value("constraints", uint64_t{0}) << " constraints" << std::endl;
        throw CLI::RuntimeError(0);
    });

    // key new | address
    auto* key = app.add_subcommand("key", "secp256k1 account keys");
    key->require_subcommand(1);
    auto path = std::make_shared<std::string>();
    auto* knew = key->add_subcommand("new", "write a fresh key file (mode 0600); prints its address");
    knew->add_option("file", *path, "key file to create (never overwritten)")->required();
    knew->callback([path] {
        const auto k = settlement::PrivateKey::generate();
        coordinator::write_key_file(*path, k);
        std::cout << k.address().to_lower_string() << std::endl;
        throw CLI::RuntimeError(0);
    });
    auto* kaddr = key->add_subcommand("address", "print the address of a key file");
    kaddr->add_option("file", *path, "key file")->required()->check(CLI::ExistingFile);
    kaddr->callback([path] {
        std::cout << coordinator::read_key_file(*path).address().to_lower_string() << std::endl;
        throw CLI::RuntimeError(0);
    });
}

}  // namespace provernet::cli
