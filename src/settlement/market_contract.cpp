#include "settlement/market_contract.hpp"

#include "settlement/abi.hpp"
#include "settlement/keccak.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace provernet::settlement {

namespace {

using abi::Value;

// The tuple types of the contract's structs, in declaration order.
constexpr const char* kConfigTuple =
    "(address,address,uint16,uint16,uint64,uint32,uint96,uint96,uint64,uint32,uint16,uint32,uint16[4])";
constexpr const char* kTermsTuple =
    "(uint96,bytes32,bytes32,uint8,uint96,uint96,uint64,uint64,uint64,uint64,uint96,string)";

Value word(const Hash256& h) { return Value::bytes(h); }
Value u(const U256& v) { return Value::uint(v); }
Value u(uint64_t v) { return Value::uint(v); }

Value uint_list(const std::vector<U256>& values)
{
    Value::List items;
    items.reserve(values.size());
    for (const U256& v : values) items.push_back(Value::uint(v));
    return Value::list(std::move(items));
}

Value index_list(const std::vector<uint32_t>& values)
{
    Value::List items;
    for (uint32_t v : values) items.push_back(Value::uint(uint64_t(v)));
    return Value::list(std::move(items));
}

Value proof_value(const ProofWords& proof)
{
    Value::List items;
    for (const U256& v : proof) items.push_back(Value::uint(v));
    return Value::list(std::move(items));
}

Hash256 hash_of(const Value& v)
{
    const Bytes& b = v.as_bytes();
    if (b.size() != 32) throw std::runtime_error("ProverMarket: expected a bytes32");
    Hash256 h{};
    std::copy(b.begin(), b.end(), h.begin());
    return h;
}

uint64_t u64(const Value& v) { return v.as_uint64(); }

// Event signatures and the decoding of each.
struct EventSpec {
    std::string signature;
    std::string data_types;  // the non-indexed fields
    MarketEvent (*decode)(const std::vector<Hash256>& topics, const std::vector<Value>& data);
};

Address topic_address(const Hash256& t) { return Address::from_word(t); }
U256 topic_uint(const Hash256& t) { return u256_from_be(t); }

const std::vector<EventSpec>& event_specs()
{
    namespace ev = market_event;
    static const std::vector<EventSpec> specs = {
        {"Deposited(address,uint256)", "uint256",
         [](const auto& t, const auto& d) -> MarketEvent { return ev::Deposited{topic_address(t[1]), d[0].as_uint()}; }},
        {"Withdrawn(address,uint256)", "uint256",
         [](const auto& t, const auto& d) -> MarketEvent { return ev::Withdrawn{topic_address(t[1]), d[0].as_uint()}; }},
        {"Staked(address,uint256)", "uint256",
         [](const auto& t, const auto& d) -> MarketEvent { return ev::Staked{topic_address(t[1]), d[0].as_uint()}; }},
        {"UnstakeRequested(address,uint256,uint256)", "uint256,uint256",
         [](const auto& t, const auto& d) -> MarketEvent {
             return ev::UnstakeRequested{topic_address(t[1]), d[0].as_uint(), u64(d[1])};
         }},
        {"UnstakeCompleted(address,uint256)", "uint256",
         [](const auto& t, const auto& d) -> MarketEvent {
             return ev::UnstakeCompleted{topic_address(t[1]), d[0].as_uint()};
         }},
        {"ProverRegistered(address,uint256)", "uint256",
         [](const auto& t, const auto& d) -> MarketEvent { return ev::ProverRegistered{topic_address(t[1]), u64(d[0])}; }},
        {"ProverPaused(address,uint256)", "uint256",
         [](const auto& t, const auto& d) -> MarketEvent { return ev::ProverPaused{topic_address(t[1]), u64(d[0])}; }},
        {"ProverResumed(address)", "",
         [](const auto& t, const auto&) -> MarketEvent { return ev::ProverResumed{topic_address(t[1])}; }},
        {"CircuitRegistered(bytes32,address,uint256)", "address,uint256",
         [](const auto& t, const auto& d) -> MarketEvent {
             return ev::CircuitRegistered{t[1], d[0].as_address(), u64(d[1])};
         }},
        {"RequestSubmitted(uint256,address,bytes32,uint8,uint256,bytes32,string)", "uint8,uint256,bytes32,string",
         [](const auto& t, const auto& d) -> MarketEvent {
             return ev::RequestSubmitted{topic_uint(t[1]), topic_address(t[2]), t[3], uint8_t(u64(d[0])), d[1].as_uint(),
                                         hash_of(d[2]), d[3].as_string()};
         }},
        {"RequestCancelled(uint256,address,uint256)", "uint256",
         [](const auto& t, const auto& d) -> MarketEvent {
             return ev::RequestCancelled{topic_uint(t[1]), topic_address(t[2]), d[0].as_uint()};
         }},
        {"RequestLocked(uint256,address,uint256,uint256)", "uint256,uint256",
         [](const auto& t, const auto& d) -> MarketEvent {
             return ev::RequestLocked{topic_uint(t[1]), topic_address(t[2]), d[0].as_uint(), d[1].as_uint()};
         }},
        {"ProverSlashed(uint256,address,uint8,uint256,uint256,uint256,address)",
         "uint8,uint256,uint256,uint256,address",
         [](const auto& t, const auto& d) -> MarketEvent {
             return ev::ProverSlashed{topic_uint(t[1]), topic_address(t[2]), uint8_t(u64(d[0])), d[1].as_uint(),
                                      d[2].as_uint(), d[3].as_uint(), d[4].as_address()};
         }},
        {"RequestFulfilled(uint256,address,uint256,uint256,uint256,uint256,uint256,bool)",
         "uint256,uint256,uint256,uint256,uint256,bool",
         [](const auto& t, const auto& d) -> MarketEvent {
             return ev::RequestFulfilled{topic_uint(t[1]), topic_address(t[2]), d[0].as_uint(), d[1].as_uint(),
                                         d[2].as_uint(), d[3].as_uint(), d[4].as_uint(), d[5].as_bool()};
         }},
        {"RequestExpired(uint256,address,uint256,uint256)", "uint256,uint256",
         [](const auto& t, const auto& d) -> MarketEvent {
             return ev::RequestExpired{topic_uint(t[1]), topic_address(t[2]), d[0].as_uint(), d[1].as_uint()};
         }},
        {"FulfilmentSkipped(uint256,address,uint8)", "uint8",
         [](const auto& t, const auto& d) -> MarketEvent {
             return ev::FulfilmentSkipped{topic_uint(t[1]), topic_address(t[2]), ev::SkipReason(u64(d[0]))};
         }},
    };
    return specs;
}

// BatchFulfilled(address indexed prover, uint256[] settlements): three words per settled request
// (requestId, price | fee << 96 | secondary << 255, refund | amount << 96; amount is the bounty
// when secondary, else the collateral returned), each the RequestFulfilled a single fulfilment
// emits.
void append_batch_fulfilled(std::vector<MarketEvent>& out, const EthLog& log)
{
    if (log.topics.size() != 2) throw std::runtime_error("ProverMarket log BatchFulfilled: unexpected topic count");
    const Address prover = topic_address(log.topics[1]);
    const std::vector<Value> decoded = abi::decode("uint256[]", log.data);
    const Value::List& words = decoded[0].as_list();
    if (words.size() % 3 != 0)
        throw std::runtime_error("ProverMarket log BatchFulfilled: " + std::to_string(words.size()) +
                                 " words, not three per settlement");
    const auto field = [](const U256& w, unsigned shift) {  // the 96-bit field at bit `shift`
        return U256(uint64_t(w.bits(shift, 32)) | uint64_t(w.bits(shift + 32, 32)) << 32, w.bits(shift + 64, 32), 0, 0);
    };
    for (size_t i = 0; i < words.size(); i += 3) {
        const U256& paid = words[i + 1].as_uint();
        const U256& back = words[i + 2].as_uint();
        const bool secondary = (paid.limb[3] >> 63) != 0;
        const U256 amount = field(back, 96);
        out.push_back(market_event::RequestFulfilled{words[i].as_uint(), prover, field(paid, 0), field(paid, 96),
                                                     secondary ? amount : U256(), field(back, 0),
                                                     secondary ? U256() : amount, secondary});
    }
}

size_t indexed_count(const std::string& signature, const std::string& data_types)
{
    const size_t all = abi::Signature::parse(signature).inputs.size();
    return all - abi::parse_type_list(data_types).size();
}

}  // namespace

std::map<std::string, std::string> prover_market_sources()
{
    const char* env = std::getenv("PROVERNET_CONTRACTS_DIR");
    const std::string dir = env && *env ? std::string(env) : std::string(PROVERNET_SOURCE_DIR) + "/contracts";
    std::map<std::string, std::string> sources;
    for (const char* name :
         {"ProverMarket.sol", "ProverMarketSettlement.sol", "ProverMarketState.sol", "IGroth16Verifier.sol"}) {
        const std::string path = dir + "/" + name;
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in || text.str().empty()) throw std::runtime_error("cannot read the market contract source " + path);
        sources.emplace(name, text.str());
    }
    return sources;
}

Hash256 bound_signals_hash(const std::vector<uint32_t>& indices, const std::vector<U256>& values)
{
    if (indices.size() != values.size())
        throw std::invalid_argument("bound_signals_hash: " + std::to_string(indices.size()) + " indices but " +
                                    std::to_string(values.size()) + " values");
    return keccak256(abi::encode(abi::parse_type_list("uint32[],uint256[]"), {index_list(indices), uint_list(values)}));
}

ProofWords proof_words(const math::G1Affine& a, const math::G2Affine& b, const math::G1Affine& c)
{
    return {a.x.to_u256(), a.y.to_u256(), b.x.c1.to_u256(), b.x.c0.to_u256(),
            b.y.c1.to_u256(), b.y.c0.to_u256(), c.x.to_u256(), c.y.to_u256()};
}

U256 address_signal(const Address& a)
{
    Hash256 w{};
    std::copy(a.bytes.begin(), a.bytes.end(), w.begin() + 12);
    return u256_from_be(w);
}

U256 MarketContract::request_id(const Address& requester, const U256& key)
{
    const Hash256 k = to_be_bytes(key);
    if (!std::all_of(k.begin(), k.begin() + 20, [](uint8_t b) { return b == 0; }))
        throw std::invalid_argument("request_id: the key must be below 2^96");
    Hash256 w{};
    std::copy(requester.bytes.begin(), requester.bytes.end(), w.begin());
    std::copy(k.begin() + 20, k.end(), w.begin() + 20);
    return u256_from_be(w);
}

MarketContract::MarketContract(EthClient& client, Address address) : client_(&client), address_(address) {}

Bytes MarketContract::constructor_args(const MarketContractConfig& c)
{
    Value::List reserve;
    for (uint16_t bps : c.reserve_bps) reserve.push_back(u(uint64_t(bps)));
    Value config = Value::list({Value::address(c.owner), Value::address(c.fee_account), u(uint64_t(c.fee_bps)),
                                u(uint64_t(c.slash_burn_bps)), u(c.withdrawal_delay_s),
                                u(uint64_t(c.max_pending_unstakes)), u(c.min_fulfiller_stake), u(c.min_collateral),
                                u(c.max_request_lifetime_s), u(uint64_t(c.max_inputs_bytes)),
                                u(uint64_t(c.max_capacity)), u(uint64_t(c.breaker_failures)),
                                Value::list(std::move(reserve))});
    return abi::encode({abi::Type::parse(kConfigTuple)}, {config});
}

MarketContract MarketContract::deploy(TxSender& deployer, EthClient& client, const MarketContractConfig& config,
                                      const Bytes& init_code)
{
    Bytes code = init_code;
    append(code, constructor_args(config));
    return MarketContract(client, deployer.deploy(std::move(code)));
}

TxReceipt MarketContract::send(TxSender& from, Bytes data, const U256& value)
{
    return from.transact(address_, std::move(data), value);
}

std::vector<uint8_t> MarketContract::call(Bytes data, std::string_view block)
{
    return client_->call(address_, data, std::nullopt, U256(), block);
}

TxReceipt MarketContract::deposit(TxSender& from, const U256& amount)
{
    return send(from, abi::encode_call("deposit()", {}), amount);
}
TxReceipt MarketContract::withdraw(TxSender& from, const U256& amount)
{
    return send(from, abi::encode_call("withdraw(uint256)", {u(amount)}));
}
TxReceipt MarketContract::stake(TxSender& from, const U256& amount)
{
    return send(from, abi::encode_call("stake(uint256)", {u(amount)}));
}
TxReceipt MarketContract::request_unstake(TxSender& from, const U256& amount)
{
    return send(from, abi::encode_call("requestUnstake(uint256)", {u(amount)}));
}
TxReceipt MarketContract::complete_unstake(TxSender& from)
{
    return send(from, abi::encode_call("completeUnstake()", {}));
}
TxReceipt MarketContract::register_prover(TxSender& from, uint64_t capacity)
{
    return send(from, abi::encode_call("registerProver(uint256)", {u(capacity)}));
}
TxReceipt MarketContract::resume_prover(TxSender& from, const Address& prover)
{
    return send(from, abi::encode_call("resumeProver(address)", {Value::address(prover)}));
}
TxReceipt MarketContract::register_circuit(TxSender& from, const Hash256& circuit_id, const Address& verifier,
                                           uint32_t public_input_count)
{
    return send(from, abi::encode_call("registerCircuit(bytes32,address,uint32)",
                                       {word(circuit_id), Value::address(verifier), u(uint64_t(public_input_count))}));
}

Bytes MarketContract::submit_request_call(const MarketRequestTerms& t)
{
    Value terms = Value::list({u(t.key), word(t.circuit_id), word(t.bound_signals_hash), u(uint64_t(t.priority)),
                               u(t.min_price), u(t.max_price), u(t.ramp_start), u(t.ramp_period), u(t.lock_deadline),
                               u(t.final_deadline), u(t.collateral), Value::string(t.inputs)});
    return abi::encode_call(std::string("submitRequest(") + kTermsTuple + ")", {terms});
}

TxReceipt MarketContract::submit_request(TxSender& from, const MarketRequestTerms& terms, const U256& value)
{
    return send(from, submit_request_call(terms), value);
}
TxReceipt MarketContract::cancel(TxSender& from, const U256& request_id)
{
    return send(from, abi::encode_call("cancel(uint256)", {u(request_id)}));
}
TxReceipt MarketContract::lock(TxSender& from, const U256& request_id)
{
    return send(from, abi::encode_call("lock(uint256)", {u(request_id)}));
}

Bytes MarketContract::fulfill_call(const U256& request_id, const ProofWords& proof,
                                   const std::vector<U256>& public_signals, const std::vector<uint32_t>& bound_indices)
{
    return abi::encode_call("fulfill(uint256,uint256[8],uint256[],uint32[])",
                            {u(request_id), proof_value(proof), uint_list(public_signals), index_list(bound_indices)});
}

TxReceipt MarketContract::fulfill(TxSender& from, const U256& request_id, const ProofWords& proof,
                                  const std::vector<U256>& public_signals, const std::vector<uint32_t>& bound_indices)
{
    return send(from, fulfill_call(request_id, proof, public_signals, bound_indices));
}

Bytes MarketContract::fulfill_batch_call(const Hash256& circuit_id, const std::vector<uint32_t>& bound_indices,
                                         const std::vector<FulfilItem>& items)
{
    // Flat arrays: every item of a batch has the circuit's signal count.
    Value::List ids, proofs, signals;
    for (size_t i = 0; i < items.size(); ++i) {
        const FulfilItem& item = items[i];
        if (item.public_signals.size() != items[0].public_signals.size())
            throw std::invalid_argument("fulfill_batch: item " + std::to_string(i) + " has " +
                                        std::to_string(item.public_signals.size()) + " public signals, item 0 has " +
                                        std::to_string(items[0].public_signals.size()) +
                                        " (one circuit: every item has the same count)");
        ids.push_back(u(item.request_id));
        for (const U256& w : item.proof) proofs.push_back(u(w));
        for (const U256& v : item.public_signals) signals.push_back(u(v));
    }
    return abi::encode_call("fulfillBatch(bytes32,uint32[],uint256[],uint256[],uint256[])",
                            {word(circuit_id), index_list(bound_indices), Value::list(std::move(ids)),
                             Value::list(std::move(proofs)), Value::list(std::move(signals))});
}

TxReceipt MarketContract::fulfill_batch(TxSender& from, const Hash256& circuit_id,
                                        const std::vector<uint32_t>& bound_indices, const std::vector<FulfilItem>& items)
{
    return send(from, fulfill_batch_call(circuit_id, bound_indices, items));
}

Bytes MarketContract::expire_call(const std::vector<U256>& request_ids)
{
    return abi::encode_call("expire(uint256[])", {uint_list(request_ids)});
}

TxReceipt MarketContract::expire(TxSender& from, const std::vector<U256>& request_ids)
{
    return send(from, expire_call(request_ids));
}

MarketAccount MarketContract::account(const Address& a)
{
    auto v = abi::decode("uint256,uint256,uint256,uint256,uint256",
                         call(abi::encode_call("accountOf(address)", {Value::address(a)})));
    return {v[0].as_uint(), v[1].as_uint(), v[2].as_uint(), v[3].as_uint(), v[4].as_uint64()};
}

MarketProver MarketContract::prover(const Address& p)
{
    auto v = abi::decode("bool,bool,uint256,uint256,uint256",
                         call(abi::encode_call("proverOf(address)", {Value::address(p)})));
    return {v[0].as_bool(), v[1].as_bool(), v[2].as_uint64(), v[3].as_uint64(), v[4].as_uint64()};
}

MarketRequest MarketContract::request(const U256& request_id) { return request_at(request_id, UINT64_MAX); }

MarketRequest MarketContract::request_at(const U256& request_id, uint64_t block)
{
    const std::string tag = block == UINT64_MAX ? "latest" : to_quantity(block);
    auto v = abi::decode(
        "(uint8,uint8,address,bytes32,bytes32,uint256,uint256,uint256,uint256,uint256,uint256,uint256,address,"
        "uint256,uint256)",
        call(abi::encode_call("requestOf(uint256)", {u(request_id)}), tag));
    const auto& f = v[0].as_list();
    MarketRequest r;
    r.status = ContractRequestStatus(f[0].as_uint64());
    r.priority = uint8_t(f[1].as_uint64());
    r.requester = f[2].as_address();
    r.circuit_id = hash_of(f[3]);
    r.bound_signals_hash = hash_of(f[4]);
    r.min_price = f[5].as_uint();
    r.max_price = f[6].as_uint();
    r.ramp_start = f[7].as_uint64();
    r.ramp_period = f[8].as_uint64();
    r.lock_deadline = f[9].as_uint64();
    r.final_deadline = f[10].as_uint64();
    r.collateral = f[11].as_uint();
    r.holder = f[12].as_address();
    r.lock_price = f[13].as_uint();
    r.escrow = f[14].as_uint();
    return r;
}

std::pair<Address, uint64_t> MarketContract::circuit(const Hash256& circuit_id)
{
    auto v = abi::decode("address,uint256", call(abi::encode_call("circuitOf(bytes32)", {word(circuit_id)})));
    return {v[0].as_address(), v[1].as_uint64()};
}

U256 MarketContract::burned()
{
    return abi::decode("uint256", call(abi::encode_call("burned()", {})))[0].as_uint();
}

uint64_t MarketContract::waiting(uint8_t priority)
{
    return abi::decode("uint256", call(abi::encode_call("waiting(uint8)", {u(uint64_t(priority))})))[0].as_uint64();
}

uint64_t MarketContract::lock_limit(const Address& prover, uint8_t priority)
{
    return abi::decode("uint256", call(abi::encode_call("lockLimit(address,uint8)",
                                                        {Value::address(prover), u(uint64_t(priority))})))[0]
        .as_uint64();
}

U256 MarketContract::price_at(const U256& request_id, uint64_t t)
{
    return abi::decode("uint256", call(abi::encode_call("priceAt(uint256,uint256)", {u(request_id), u(t)})))[0]
        .as_uint();
}

std::pair<U256, uint64_t> MarketContract::pending_unstake(const Address& a, uint64_t i)
{
    auto v = abi::decode("uint256,uint256",
                         call(abi::encode_call("pendingUnstake(address,uint256)", {Value::address(a), u(i)})));
    return {v[0].as_uint(), v[1].as_uint64()};
}

std::vector<MarketEvent> MarketContract::events(const EthLog& log) const
{
    static const auto by_topic = [] {
        std::map<Hash256, const EventSpec*> m;
        for (const EventSpec& s : event_specs()) m.emplace(abi::event_topic(s.signature), &s);
        return m;
    }();
    static const Hash256 batch_topic = abi::event_topic("BatchFulfilled(address,uint256[])");
    std::vector<MarketEvent> out;
    if (log.address != address_ || log.topics.empty()) return out;
    if (log.topics[0] == batch_topic) {
        append_batch_fulfilled(out, log);
        return out;
    }
    auto it = by_topic.find(log.topics[0]);
    if (it == by_topic.end()) return out;
    const EventSpec& spec = *it->second;
    if (log.topics.size() != 1 + indexed_count(spec.signature, spec.data_types))
        throw std::runtime_error("ProverMarket log " + spec.signature + ": unexpected topic count");
    out.push_back(spec.decode(log.topics, abi::decode(spec.data_types, log.data)));
    return out;
}

std::vector<MarketEvent> MarketContract::events(const TxReceipt& receipt) const
{
    std::vector<MarketEvent> out;
    for (const EthLog& log : receipt.logs) {
        std::vector<MarketEvent> one = events(log);
        out.insert(out.end(), std::make_move_iterator(one.begin()), std::make_move_iterator(one.end()));
    }
    return out;
}

std::optional<std::string> MarketContract::error_name(BytesView data)
{
    static const auto by_selector = [] {
        const char* signatures[] = {
            "InvalidConfig(uint8)", "InvalidAmount()", "FundsLimitExceeded()", "TransferFailed()",
            "InsufficientBalance(uint256,uint256)", "InsufficientStake(uint256,uint256)", "TooManyPendingUnstakes()",
            "NothingToWithdraw()", "WithdrawalNotReady(uint256)", "InvalidCapacity()", "NotRegistered(address)",
            "NotPaused()", "NotAuthorized()", "ProverIsPaused()", "CircuitExists(bytes32)", "UnknownCircuit(bytes32)",
            "InvalidCircuit()", "InvalidRequest(uint8)", "IdempotencyConflict(uint256,uint8)", "UnknownRequest(uint256)",
            "NotRequester()", "RequestClosed(uint256)", "AlreadyLocked(address)", "LockDeadlinePassed()",
            "FinalDeadlinePassed()", "CapacityExceeded()", "ClassLimitReached(uint256)", "NotLockHolder(address)",
            "WrongCircuit()", "PublicSignalCount(uint256,uint256)", "ProofWordCount(uint256,uint256)", "BoundSignalsMismatch()", "VerifierOutOfGas()",
            // The generated verifier's.
            "ProofInvalid()", "PublicInputNotInField()", "PrecompileFailed()", "PublicInputCount()"};
        std::map<std::array<uint8_t, 4>, std::string> m;
        for (const char* s : signatures) {
            std::string name(s);
            m.emplace(abi::selector(s), name.substr(0, name.find('(')));
        }
        return m;
    }();
    if (data.size() < 4) return std::nullopt;
    std::array<uint8_t, 4> sel{data[0], data[1], data[2], data[3]};
    auto it = by_selector.find(sel);
    if (it == by_selector.end()) return std::nullopt;
    return it->second;
}

}  // namespace provernet::settlement
