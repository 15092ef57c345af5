// The state transition's inputs: the JSON form (read_batch, batch_to_json), and builders of
// correctly signed batches for examples and tests.
#include "finance/state_model.hpp"

#include "finance/fixed_inputs.hpp"

#include <limits>
#include <stdexcept>
#include <tuple>

namespace provernet::finance::state {

namespace {

constexpr int128 int64_min = std::numeric_limits<int64_t>::min();
constexpr int128 int64_max = std::numeric_limits<int64_t>::max();

Fr F(uint64_t v) { return Fr::from_uint(v); }

using nlohmann::json;

// A field element: a JSON integer, or a string of decimal digits or 0x-prefixed hex, below r.
Fr read_field(const InputReader& r, const json& v, const std::string& at)
{
    if (v.is_number_unsigned())
        return F(v.get<uint64_t>());
    if (!v.is_string())
        r.fail(at, "expected a field element (a string of decimal digits or 0x-prefixed hex)");
    const std::string s = v.get<std::string>();
    const auto u = s.rfind("0x", 0) == 0 ? math::U256::from_hex(s) : math::U256::from_decimal(s);
    if (!u)
        r.fail(at, "\"" + s + "\" is not a non-negative integer");
    const auto f = Fr::from_canonical(*u);
    if (!f)
        r.fail(at, "value is not below the field modulus r");
    return *f;
}

uint64_t read_uint(const InputReader& r, const json& obj, const std::string& obj_path, const char* key, unsigned bits,
                   uint64_t min = 0)
{
    const int128 max = (int128(1) << bits) - 1;
    return uint64_t(r.integer(r.member(obj, obj_path, key), InputReader::path(obj_path, key), min, max));
}

int64_t read_int64(const InputReader& r, const json& obj, const std::string& obj_path, const char* key)
{
    return int64_t(r.integer(r.member(obj, obj_path, key), InputReader::path(obj_path, key), int64_min, int64_max));
}

std::pair<Fr, Fr> read_point(const InputReader& r, const json& obj, const std::string& obj_path, const char* key)
{
    const json& p = r.array(obj, obj_path, key, 2);
    const std::string at = InputReader::path(obj_path, key);
    return {read_field(r, p[0], at + "[0]"), read_field(r, p[1], at + "[1]")};
}

circuit::EddsaSignature read_signature(const InputReader& r, const json& obj, const std::string& obj_path,
                                       const char* key)
{
    const json& sig = r.member(obj, obj_path, key);
    const std::string at = InputReader::path(obj_path, key);
    r.only_keys(sig, at, {"r8", "s"});
    circuit::EddsaSignature out;
    std::tie(out.r8.x, out.r8.y) = read_point(r, sig, at, "r8");
    out.s = read_field(r, r.member(sig, at, "s"), InputReader::path(at, "s")).to_u256();
    return out;
}

OpType read_type(const InputReader& r, const json& op, const std::string& at)
{
    const std::string t = r.text(r.member(op, at, "type"), InputReader::path(at, "type"));
    for (OpType k : {OpType::deposit, OpType::withdrawal, OpType::funding, OpType::trade, OpType::liquidation})
        if (t == op_name(k))
            return k;
    r.fail(InputReader::path(at, "type"),
           "\"" + t + "\" is not an operation (deposit, withdrawal, funding, trade, liquidation)");
}

Operation read_operation(const InputReader& r, const json& v, const std::string& at, unsigned depth)
{
    Operation op;
    op.type = read_type(r, v, at);
    auto index = [&](const char* key) { return read_uint(r, v, at, key, depth); };
    switch (op.type) {
    case OpType::deposit:
        r.only_keys(v, at, {"type", "account", "public_key", "amount"});
        op.account = index("account");
        std::tie(op.key_x, op.key_y) = read_point(r, v, at, "public_key");
        op.amount = read_uint(r, v, at, "amount", amount_bits);
        break;
    case OpType::withdrawal: {
        r.only_keys(v, at, {"type", "account", "amount", "recipient", "nonce", "signature"});
        op.account = index("account");
        op.amount = read_uint(r, v, at, "amount", amount_bits);
        const std::string rat = InputReader::path(at, "recipient");
        op.recipient = read_field(r, r.member(v, at, "recipient"), rat);
        if (op.recipient.to_u256().bit_length() > recipient_bits)
            r.fail(rat, "does not fit in 160 bits (an L1 address)");
        op.nonce = read_uint(r, v, at, "nonce", nonce_bits);
        op.signature = read_signature(r, v, at, "signature");
        break;
    }
    case OpType::funding:
        r.only_keys(v, at, {"type", "account"});
        op.account = index("account");
        break;
    case OpType::trade:
        r.only_keys(v, at, {"type", "buyer", "seller", "amount", "price", "buyer_nonce", "seller_nonce",
                            "buyer_signature", "seller_signature"});
        op.account = index("buyer");
        op.counterparty = index("seller");
        op.amount = read_uint(r, v, at, "amount", amount_bits, 1);
        op.price = read_uint(r, v, at, "price", price_bits);
        op.nonce = read_uint(r, v, at, "buyer_nonce", nonce_bits);
        op.counterparty_nonce = read_uint(r, v, at, "seller_nonce", nonce_bits);
        op.signature = read_signature(r, v, at, "buyer_signature");
        op.counterparty_signature = read_signature(r, v, at, "seller_signature");
        break;
    case OpType::liquidation:
        r.only_keys(v, at, {"type", "liquidator", "account", "position", "nonce", "signature"});
        op.account = index("liquidator");
        op.counterparty = index("account");
        op.position = read_int64(r, v, at, "position");
        op.nonce = read_uint(r, v, at, "nonce", nonce_bits);
        op.signature = read_signature(r, v, at, "signature");
        break;
    case OpType::none: break;
    }
    return op;
}

json point_json(const Fr& x, const Fr& y) { return json::array({x.to_decimal(), y.to_decimal()}); }

json signature_json(const circuit::EddsaSignature& s)
{
    return {{"r8", point_json(s.r8.x, s.r8.y)}, {"s", s.s.to_decimal()}};
}

}  // namespace

Batch read_batch(const circuit::Inputs& in, const Layout& layout)
{
    layout.check();
    const InputReader r(in);
    const json& root = r.root();
    r.only_keys(root, "", {"old_root", "oracle_price", "risk_factor", "funding_index", "funding_pool", "accounts",
                           "operations"});
    Batch b;
    b.old_root = read_field(r, r.member(root, "", "old_root"), "old_root");
    b.market.oracle_price = read_uint(r, root, "", "oracle_price", price_bits);
    b.market.risk_factor = read_uint(r, root, "", "risk_factor", risk_factor_bits);
    b.market.funding_index = read_int64(r, root, "", "funding_index");
    b.funding_pool = read_int64(r, root, "", "funding_pool");

    const json& accounts = r.member(root, "", "accounts");
    if (!accounts.is_array())
        r.fail("accounts", "expected an array of accounts");
    for (size_t i = 0; i < accounts.size(); ++i) {
        const std::string at = InputReader::path("accounts", i);
        const json& v = accounts[i];
        r.only_keys(v, at, {"index", "public_key", "nonce", "collateral", "position", "funding_index"});
        const uint64_t index = read_uint(r, v, at, "index", layout.depth);
        Account a;
        std::tie(a.key_x, a.key_y) = read_point(r, v, at, "public_key");
        a.nonce = read_uint(r, v, at, "nonce", nonce_bits);
        a.collateral = read_int64(r, v, at, "collateral");
        a.position = read_int64(r, v, at, "position");
        a.funding_index = read_int64(r, v, at, "funding_index");
        if (!b.accounts.emplace(index, a).second)
            r.fail(InputReader::path(at, "index"), "account " + std::to_string(index) + " appears twice");
    }

    const json& ops = r.member(root, "", "operations");
    if (!ops.is_array())
        r.fail("operations", "expected an array of operations");
    for (size_t i = 0; i < ops.size(); ++i)
        b.operations.push_back(read_operation(r, ops[i], InputReader::path("operations", i), layout.depth));
    return b;
}

json batch_to_json(const Batch& batch)
{
    json accounts = json::array();
    for (const auto& [index, a] : batch.accounts)
        accounts.push_back({{"index", index},
                            {"public_key", point_json(a.key_x, a.key_y)},
                            {"nonce", std::to_string(a.nonce)},
                            {"collateral", std::to_string(a.collateral)},
                            {"position", std::to_string(a.position)},
                            {"funding_index", std::to_string(a.funding_index)}});
    json ops = json::array();
    for (const Operation& op : batch.operations) {
        json j = {{"type", op_name(op.type)}};
        switch (op.type) {
        case OpType::deposit:
            j["account"] = op.account;
            j["public_key"] = point_json(op.key_x, op.key_y);
            j["amount"] = std::to_string(op.amount);
            break;
        case OpType::withdrawal:
            j["account"] = op.account;
            j["amount"] = std::to_string(op.amount);
            j["recipient"] = op.recipient.to_decimal();
            j["nonce"] = std::to_string(op.nonce);
            j["signature"] = signature_json(op.signature);
            break;
        case OpType::funding: j["account"] = op.account; break;
        case OpType::trade:
            j["buyer"] = op.account;
            j["seller"] = op.counterparty;
            j["amount"] = std::to_string(op.amount);
            j["price"] = std::to_string(op.price);
            j["buyer_nonce"] = std::to_string(op.nonce);
            j["seller_nonce"] = std::to_string(op.counterparty_nonce);
            j["buyer_signature"] = signature_json(op.signature);
            j["seller_signature"] = signature_json(op.counterparty_signature);
            break;
        case OpType::liquidation:
            j["liquidator"] = op.account;
            j["account"] = op.counterparty;
            j["position"] = std::to_string(op.position);
            j["nonce"] = std::to_string(op.nonce);
            j["signature"] = signature_json(op.signature);
            break;
        case OpType::none: break;
        }
        ops.push_back(std::move(j));
    }
    return {{"old_root", batch.old_root.to_decimal()},
            {"oracle_price", std::to_string(batch.market.oracle_price)},
            {"risk_factor", std::to_string(batch.market.risk_factor)},
            {"funding_index", std::to_string(batch.market.funding_index)},
            {"funding_pool", std::to_string(batch.funding_pool)},
            {"accounts", std::move(accounts)},
            {"operations", std::move(ops)}};
}


circuit::EddsaSecretKey example_key(uint64_t account)
{
    circuit::EddsaSecretKey sk;
    for (size_t i = 0; i < sk.size(); ++i)
        sk[i] = uint8_t(account * 37 + i * 11 + 1);
    return sk;
}

BatchBuilder::BatchBuilder(const Layout& layout, const Market& market, int64_t funding_pool) : layout_(layout)
{
    layout.check();
    batch_.market = market;
    batch_.funding_pool = funding_pool;
}

BatchBuilder& BatchBuilder::account(uint64_t index, int64_t collateral, int64_t position, int64_t funding_index,
                                    uint64_t nonce)
{
    const auto key = circuit::eddsa_public_key(example_key(index));
    batch_.accounts[index] = {key.x, key.y, nonce, collateral, position, funding_index};
    nonces_[index] = nonce;
    return *this;
}

BatchBuilder& BatchBuilder::deposit(uint64_t account, uint64_t amount)
{
    Operation op;
    op.type = OpType::deposit;
    op.account = account;
    const auto key = circuit::eddsa_public_key(example_key(account));
    op.key_x = key.x;
    op.key_y = key.y;
    op.amount = amount;
    batch_.operations.push_back(op);
    return *this;
}

BatchBuilder& BatchBuilder::withdrawal(uint64_t account, uint64_t amount, const Fr& recipient)
{
    Operation op;
    op.type = OpType::withdrawal;
    op.account = account;
    op.amount = amount;
    op.recipient = recipient;
    op.nonce = nonces_[account]++;
    sign(op, example_key(account));
    batch_.operations.push_back(op);
    return *this;
}

BatchBuilder& BatchBuilder::funding(uint64_t account)
{
    Operation op;
    op.type = OpType::funding;
    op.account = account;
    batch_.operations.push_back(op);
    return *this;
}

BatchBuilder& BatchBuilder::trade(uint64_t buyer, uint64_t seller, uint64_t amount, uint64_t price)
{
    Operation op;
    op.type = OpType::trade;
    op.account = buyer;
    op.counterparty = seller;
    op.amount = amount;
    op.price = price;
    op.nonce = nonces_[buyer]++;
    op.counterparty_nonce = nonces_[seller]++;
    sign(op, example_key(buyer));
    sign_counterparty(op, example_key(seller));
    batch_.operations.push_back(op);
    return *this;
}

BatchBuilder& BatchBuilder::liquidation(uint64_t liquidator, uint64_t account, int64_t position)
{
    Operation op;
    op.type = OpType::liquidation;
    op.account = liquidator;
    op.counterparty = account;
    op.position = position;
    op.nonce = nonces_[liquidator]++;
    sign(op, example_key(liquidator), batch_.market.oracle_price);
    batch_.operations.push_back(op);
    return *this;
}

Operation& BatchBuilder::last()
{
    if (batch_.operations.empty())
        throw std::logic_error("BatchBuilder::last: no operation yet");
    return batch_.operations.back();
}

uint64_t BatchBuilder::nonce(uint64_t account) const
{
    const auto it = nonces_.find(account);
    return it == nonces_.end() ? 0 : it->second;
}

Batch BatchBuilder::batch() const
{
    Batch b = batch_;
    AccountTree tree(layout_.depth);
    for (const auto& [index, a] : b.accounts)
        tree.set(index, a);
    b.old_root = tree.root();
    return b;
}

}  // namespace provernet::finance::state
