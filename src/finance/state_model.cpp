#include "finance/state_model.hpp"

#include "circuit/commitment.hpp"
#include "circuit/poseidon.hpp"
#include "finance/fixed_inputs.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>

namespace provernet::finance::state {

namespace {

constexpr int128 int64_min = std::numeric_limits<int64_t>::min();
constexpr int128 int64_max = std::numeric_limits<int64_t>::max();

Fr F(uint64_t v) { return Fr::from_uint(v); }

std::string str(int128 v) { return int128_to_string(v); }

std::string account_name(uint64_t index) { return "account " + std::to_string(index); }

// TV >= TR for a collateral that may lie outside 64 bits (an intermediate after funding). TV
// overflows __int128 only when the collateral is far out of range; its sign then decides, since
// TR < 2^127.
bool healthy(int128 collateral, int64_t position, const Market& m)
{
    Account a;
    a.position = position;
    int128 tv;
    if (__builtin_add_overflow(collateral, int128(position) * m.oracle_price, &tv))
        return collateral > 0;
    return tv >= margin_requirement(a, m);
}

// The operations fit the layout's slots, single-account ones first, on accounts within capacity.
void check_shape(const Batch& batch, const Layout& layout, const std::string& source)
{
    auto fail = [&](const std::string& at, const std::string& problem) {
        throw circuit::InputError(source + ": field \"" + at + "\": " + problem);
    };
    size_t singles = 0, doubles = 0;
    for (size_t i = 0; i < batch.operations.size(); ++i) {
        const Operation& op = batch.operations[i];
        const std::string at = "operations[" + std::to_string(i) + "]";
        if (op.type == OpType::none)
            fail(at, "a no-op is padding, not an operation");
        for (uint64_t index : {op.account, op.counterparty})
            if (index >= layout.capacity())
                fail(at, account_name(index) + " is beyond the tree's capacity 2^" + std::to_string(layout.depth));
        if (is_two_account(op.type)) {
            ++doubles;
        } else {
            ++singles;
            if (doubles > 0)
                fail(at, std::string("a ") + op_name(op.type) +
                             " after a two-account operation: a batch applies its single-account operations first "
                             "(put it in the next batch)");
        }
    }
    auto too_many = [&](size_t n, size_t slots, const char* kind) {
        if (n > slots)
            fail("operations", std::to_string(n) + " " + kind + " operations, but " + layout.name() + " has " +
                                   std::to_string(slots) + " " + kind + " slots");
    };
    too_many(singles, layout.single_slots, "single-account");
    too_many(doubles, layout.double_slots, "two-account");
}

// Applies one batch to a tree, recording the trace.
class Runner {
public:
    Runner(const Batch& batch, const Layout& layout, const std::string& source, Rules rules)
        : batch_(batch), layout_(layout), source_(source), enforce_(rules == Rules::enforce), tree_(layout.depth)
    {
        for (const auto& [index, account] : batch.accounts)
            tree_.set(index, account);
        if (enforce_ && tree_.root() != batch.old_root)
            throw circuit::InputError(source + ": field \"old_root\": does not match the root of the accounts (" +
                                      tree_.root().to_decimal() + ")");
    }

    ModelRun run()
    {
        ModelRun out;
        BatchTrace& trace = out.trace;
        trace.layout = layout_;
        trace.market = batch_.market;
        trace.old_root = batch_.old_root;
        trace.funding_pool = batch_.funding_pool;
        BatchResult& result = out.result;
        check_shape(batch_, layout_, source_);
        for (size_t i = 0; i < batch_.operations.size(); ++i) {
            const Operation& op = batch_.operations[i];
            op_index_ = i;
            const bool two = is_two_account(op.type);
            if (two && trace.singles.size() < layout_.single_slots)
                pad(trace.singles, layout_.single_slots, 1);
            SlotTrace slot{op, {}};
            switch (op.type) {
            case OpType::deposit: deposit(op, slot); break;
            case OpType::withdrawal: withdrawal(op, slot); break;
            case OpType::funding: funding(op, slot); break;
            case OpType::trade: trade(op, slot); break;
            case OpType::liquidation: liquidation(op, slot); break;
            case OpType::none: fail("a no-op is padding, not an operation");
            }
            OperationResult r{op.type, {}};
            for (const Touch& t : slot.touches)
                r.accounts.push_back({t.index, t.after.nonce, t.after.collateral, t.after.position, t.funding_paid});
            result.operations.push_back(std::move(r));
            if (op.type == OpType::deposit)
                result.total_deposits += op.amount;
            if (op.type == OpType::withdrawal)
                result.total_withdrawals += op.amount;
            (two ? trace.doubles : trace.singles).push_back(std::move(slot));
        }
        pad(trace.singles, layout_.single_slots, 1);
        pad(trace.doubles, layout_.double_slots, 2);

        result.old_root = batch_.old_root;
        result.new_root = tree_.root();
        result.funding_pool_before = batch_.funding_pool;
        const int128 pool = batch_.funding_pool + pool_in_;
        if (pool < int64_min || pool > int64_max)
            throw circuit::InputError(source_ + ": field \"funding_pool\": the batch's funding payments take the pool "
                                                "outside [-2^63, 2^63)");
        result.funding_pool_after = int64_t(pool);
        result.batch_commitment = circuit::poseidon_commitment(commitment_values(batch_, layout_, source_));
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& problem) const
    {
        throw circuit::InputError(source_ + ": field \"operations[" + std::to_string(op_index_) + "]\": " + problem);
    }
    void check(bool rule_holds, const std::string& problem) const
    {
        if (enforce_ && !rule_holds)
            fail(problem);
    }

    // Starts the update of an account: its state and path now. A missing account reads as zeros.
    Touch begin(uint64_t index) const
    {
        Touch t;
        t.index = index;
        if (const Account* a = tree_.find(index))
            t.before = *a;
        t.after = t.before.value_or(Account{});
        t.proof = tree_.proof(index);
        return t;
    }

    void require_account(const Touch& t, const std::string& role) const
    {
        check(t.before.has_value(), role + account_name(t.index) + " does not exist");
    }

    void require_nonce(const Touch& t, uint64_t nonce, const std::string& role) const
    {
        check(nonce == t.after.nonce, "nonce " + std::to_string(nonce) + " is not " + role + account_name(t.index) +
                                          "'s next nonce " + std::to_string(t.after.nonce) +
                                          " (replayed or out of order)");
    }

    void require_signature(const Touch& t, const Fr& msg, const circuit::EddsaSignature& sig,
                           const std::string& role) const
    {
        if (enforce_ && !circuit::eddsa_verify({t.after.key_x, t.after.key_y}, msg, sig))
            fail("the signature of " + role + account_name(t.index) + " does not verify");
    }

    // Funding settlement: returns the collateral after it (an intermediate, range-checked at the end).
    int128 settle(Touch& t)
    {
        t.funding_paid = funding_due(t.after, batch_.market);
        pool_in_ += t.funding_paid;
        t.after.funding_index = batch_.market.funding_index;
        return int128(t.after.collateral) - t.funding_paid;
    }

    // Writes the final collateral and position (range-checked) and the nonce step.
    void finish(Touch& t, int128 collateral, int128 position, bool signed_op, const std::string& role)
    {
        if (collateral < int64_min || collateral > int64_max)
            fail(role + account_name(t.index) + "'s collateral would leave [-2^63, 2^63)");
        if (position < int64_min || position > int64_max)
            fail(role + account_name(t.index) + "'s position would leave [-2^63, 2^63)");
        t.after.collateral = int64_t(collateral);
        t.after.position = int64_t(position);
        if (signed_op) {
            if (t.after.nonce == std::numeric_limits<uint64_t>::max())
                fail(role + account_name(t.index) + "'s nonce is exhausted");
            ++t.after.nonce;
        }
        tree_.set(t.index, t.after);
    }

    void require_healthy(const Touch& t, const std::string& what, const std::string& role) const
    {
        const Market& m = batch_.market;
        if (!enforce_ || is_healthy(t.after, m))
            return;
        if (t.after.position == 0)
            fail(what + " exceeds " + role + account_name(t.index) + "'s balance (collateral would be " +
                 str(t.after.collateral) + ")");
        fail(what + " leaves " + role + account_name(t.index) + " below its margin requirement (total value " +
             str(total_value(t.after, m)) + " < requirement " + str(margin_requirement(t.after, m)) + ")");
    }

    void deposit(const Operation& op, SlotTrace& slot)
    {
        Touch t = begin(op.account);
        if (!t.before) {
            t.after.key_x = op.key_x;
            t.after.key_y = op.key_y;
            t.after.funding_index = batch_.market.funding_index;
        }
        check(t.after.key_x == op.key_x && t.after.key_y == op.key_y,
              "the deposit's public key differs from " + account_name(op.account) + "'s");
        const int128 c = settle(t) + op.amount;
        finish(t, c, t.after.position, false, "");
        slot.touches.push_back(std::move(t));
    }

    void withdrawal(const Operation& op, SlotTrace& slot)
    {
        Touch t = begin(op.account);
        require_account(t, "");
        require_nonce(t, op.nonce, "");
        require_signature(t, withdrawal_message(op.account, op.amount, op.recipient, op.nonce), op.signature, "");
        const int128 c = settle(t) - op.amount;
        finish(t, c, t.after.position, true, "");
        require_healthy(t, "the withdrawal of " + std::to_string(op.amount), "");
        slot.touches.push_back(std::move(t));
    }

    void funding(const Operation& op, SlotTrace& slot)
    {
        Touch t = begin(op.account);
        require_account(t, "");
        const int128 c = settle(t);
        finish(t, c, t.after.position, false, "");
        slot.touches.push_back(std::move(t));
    }

    void trade(const Operation& op, SlotTrace& slot)
    {
        check(op.account != op.counterparty, "the buyer and the seller are the same account");
        const int128 transfer = int128(op.amount) * op.price;
        const int128 amount = op.amount;
        Touch buyer = begin(op.account);
        require_account(buyer, "the buyer, ");
        require_nonce(buyer, op.nonce, "the buyer, ");
        require_signature(buyer, trade_message(op.account, int64_t(op.amount), op.price, op.nonce), op.signature,
                          "the buyer, ");
        finish(buyer, settle(buyer) - transfer, buyer.after.position + amount, true, "the buyer, ");
        // The seller's path is read in the tree that already holds the buyer's update.
        Touch seller = begin(op.counterparty);
        require_account(seller, "the seller, ");
        require_nonce(seller, op.counterparty_nonce, "the seller, ");
        require_signature(seller, trade_message(op.counterparty, -int64_t(op.amount), op.price, op.counterparty_nonce),
                          op.counterparty_signature, "the seller, ");
        finish(seller, settle(seller) + transfer, seller.after.position - amount, true, "the seller, ");
        require_healthy(buyer, "the trade", "the buyer, ");
        require_healthy(seller, "the trade", "the seller, ");
        slot.touches.push_back(std::move(buyer));
        slot.touches.push_back(std::move(seller));
    }

    void liquidation(const Operation& op, SlotTrace& slot)
    {
        const Market& m = batch_.market;
        check(op.account != op.counterparty, "the liquidator and the liquidated account are the same");
        Touch liquidator = begin(op.account);
        require_account(liquidator, "the liquidator, ");
        require_nonce(liquidator, op.nonce, "the liquidator, ");
        require_signature(liquidator, liquidation_message(op.account, op.counterparty, op.position, m.oracle_price, op.nonce),
                          op.signature, "the liquidator, ");
        const int128 transfer = int128(op.position) * m.oracle_price;
        finish(liquidator, settle(liquidator) - transfer, liquidator.after.position + op.position, true,
               "the liquidator, ");
        Touch liquidated = begin(op.counterparty);
        require_account(liquidated, "the liquidated account, ");
        check(op.position == liquidated.after.position,
              "position " + std::to_string(op.position) + " is not " + account_name(op.counterparty) + "'s position " +
                  std::to_string(liquidated.after.position));
        const int128 c = settle(liquidated);
        if (enforce_ && healthy(c, liquidated.after.position, m)) {
            Account funded = liquidated.after;
            funded.collateral = int64_t(std::clamp(c, int64_min, int64_max));  // for the message only
            fail(account_name(op.counterparty) + " is not liquidatable: total value " + str(total_value(funded, m)) +
                 " >= requirement " + str(margin_requirement(funded, m)));
        }
        finish(liquidated, c + transfer, int128(liquidated.after.position) - op.position, false,
               "the liquidated account, ");
        require_healthy(liquidator, "the liquidation", "the liquidator, ");
        slot.touches.push_back(std::move(liquidator));
        slot.touches.push_back(std::move(liquidated));
    }

    // No-op slots: account 0, unchanged.
    void pad(std::vector<SlotTrace>& slots, size_t count, size_t touches) const
    {
        while (slots.size() < count) {
            SlotTrace s;
            for (size_t k = 0; k < touches; ++k)
                s.touches.push_back(begin(0));
            slots.push_back(std::move(s));
        }
    }

    const Batch& batch_;
    const Layout& layout_;
    const std::string& source_;
    bool enforce_;
    AccountTree tree_;
    size_t op_index_ = 0;
    int128 pool_in_ = 0;
};

}  // namespace

std::string Layout::name() const
{
    return "state-transition-d" + std::to_string(depth) + "-s" + std::to_string(single_slots) + "-t" +
           std::to_string(double_slots);
}

void Layout::check() const
{
    if (depth < 2 || depth > 32 || depth % 2 != 0)
        throw std::invalid_argument("state transition: depth (log2 of the capacity) must be even, 2 to 32; got " +
                                    std::to_string(depth));
    if (single_slots + double_slots == 0)
        throw std::invalid_argument("state transition: the circuit needs at least one slot");
}

Fr account_leaf(const Account& a)
{
    const std::array<Fr, 6> fields = {a.key_x,
                                      a.key_y,
                                      F(a.nonce),
                                      Fr::from_int(a.collateral),
                                      Fr::from_int(a.position),
                                      Fr::from_int(a.funding_index)};
    return circuit::poseidon_hash(fields);
}

const char* op_name(OpType t)
{
    switch (t) {
    case OpType::none: return "none";
    case OpType::deposit: return "deposit";
    case OpType::withdrawal: return "withdrawal";
    case OpType::funding: return "funding";
    case OpType::trade: return "trade";
    case OpType::liquidation: return "liquidation";
    }
    return "?";
}

bool is_two_account(OpType t) { return t == OpType::trade || t == OpType::liquidation; }

Fr withdrawal_message(uint64_t account, uint64_t amount, const Fr& recipient, uint64_t nonce)
{
    const std::array<Fr, 5> m = {F(uint64_t(OpType::withdrawal)), F(account), F(amount), recipient, F(nonce)};
    return circuit::poseidon_hash(m);
}

Fr trade_message(uint64_t signer, int64_t signed_amount, uint64_t price, uint64_t nonce)
{
    const std::array<Fr, 6> m = {F(uint64_t(OpType::trade)), F(signer), Fr::zero(), Fr::from_int(signed_amount),
                                 F(price), F(nonce)};
    return circuit::poseidon_hash(m);
}

Fr liquidation_message(uint64_t liquidator, uint64_t liquidated, int64_t position, uint64_t oracle_price,
                       uint64_t nonce)
{
    const std::array<Fr, 6> m = {F(uint64_t(OpType::liquidation)), F(liquidator), F(liquidated),
                                 Fr::from_int(position), F(oracle_price), F(nonce)};
    return circuit::poseidon_hash(m);
}

void sign(Operation& op, const circuit::EddsaSecretKey& key, uint64_t oracle_price)
{
    switch (op.type) {
    case OpType::withdrawal:
        op.signature = circuit::eddsa_sign(key, withdrawal_message(op.account, op.amount, op.recipient, op.nonce));
        return;
    case OpType::trade:
        op.signature = circuit::eddsa_sign(key, trade_message(op.account, int64_t(op.amount), op.price, op.nonce));
        return;
    case OpType::liquidation:
        op.signature = circuit::eddsa_sign(
            key, liquidation_message(op.account, op.counterparty, op.position, oracle_price, op.nonce));
        return;
    default: throw std::invalid_argument(std::string("sign: a ") + op_name(op.type) + " is not signed");
    }
}

void sign_counterparty(Operation& op, const circuit::EddsaSecretKey& key)
{
    if (op.type != OpType::trade)
        throw std::invalid_argument("sign_counterparty: only a trade has a second signer");
    op.counterparty_signature =
        circuit::eddsa_sign(key, trade_message(op.counterparty, -int64_t(op.amount), op.price, op.counterparty_nonce));
}

AccountTree::AccountTree(unsigned depth) : tree_(depth / 2) {}

const Account* AccountTree::find(uint64_t index) const
{
    const auto it = accounts_.find(index);
    return it == accounts_.end() ? nullptr : &it->second;
}

void AccountTree::set(uint64_t index, const Account& a)
{
    tree_.set_leaf(index, account_leaf(a));
    accounts_[index] = a;
}

int128 total_value(const Account& a, const Market& m)
{
    // |position * price| <= 2^63 (2^64 - 1), so the sum stays within [-2^127, 2^127).
    return int128(a.collateral) + int128(a.position) * m.oracle_price;
}

int128 margin_requirement(const Account& a, const Market& m)
{
    // ceil(rf * A / 2^32) for A = |position| * price < 2^127, as (A >> 32) rf + ceil((A mod 2^32) rf / 2^32):
    // both parts stay below 2^127.
    const unsigned __int128 size = a.position < 0 ? (unsigned __int128)(-int128(a.position)) : a.position;
    const unsigned __int128 notional = size * m.oracle_price;
    const unsigned __int128 low = (notional & 0xffffffffu) * m.risk_factor;
    return int128((notional >> 32) * m.risk_factor + (low >> 32) + ((low & 0xffffffffu) != 0));
}

bool is_healthy(const Account& a, const Market& m) { return healthy(a.collateral, a.position, m); }

int128 funding_due(const Account& a, const Market& m)
{
    // |F - cached| < 2^64 and |position| <= 2^63: the product fits; ceil(x / 2^32) = -floor(-x / 2^32).
    const int128 owed = (int128(m.funding_index) - a.funding_index) * a.position;
    return -((-owed) >> fraction_bits);
}

ModelRun run_batch(const Batch& batch, const Layout& layout, const std::string& source, Rules rules)
{
    layout.check();
    return Runner(batch, layout, source, rules).run();
}

std::vector<Fr> commitment_values(const Batch& batch, const Layout& layout, const std::string& source)
{
    layout.check();
    check_shape(batch, layout, source);
    const Market& m = batch.market;
    std::vector<Fr> v = {F(m.oracle_price), F(m.risk_factor), Fr::from_int(m.funding_index),
                         Fr::from_int(batch.funding_pool)};
    std::vector<Fr> doubles;
    for (const Operation& op : batch.operations) {
        switch (op.type) {
        case OpType::deposit: v.insert(v.end(), {F(1), F(op.account), F(op.amount), op.key_x, op.key_y}); break;
        case OpType::withdrawal:
            v.insert(v.end(), {F(2), F(op.account), F(op.amount), op.recipient, Fr::zero()});
            break;
        case OpType::funding: v.insert(v.end(), {F(3), F(op.account), Fr::zero(), Fr::zero(), Fr::zero()}); break;
        case OpType::trade:
            doubles.insert(doubles.end(), {F(4), F(op.account), F(op.counterparty), F(op.amount), F(op.price)});
            break;
        case OpType::liquidation:
            doubles.insert(doubles.end(), {F(5), F(op.account), F(op.counterparty), Fr::from_int(op.position),
                                           F(m.oracle_price)});
            break;
        case OpType::none: break;
        }
    }
    v.resize(4 + 5 * layout.single_slots, Fr::zero());  // padding: zeros
    doubles.resize(5 * layout.double_slots, Fr::zero());
    v.insert(v.end(), doubles.begin(), doubles.end());
    return v;
}

nlohmann::json BatchResult::to_json() const
{
    nlohmann::json ops = nlohmann::json::array();
    for (const OperationResult& op : operations) {
        nlohmann::json accounts = nlohmann::json::array();
        for (const AccountResult& a : op.accounts)
            accounts.push_back({{"account", a.account},
                                {"nonce", std::to_string(a.nonce)},
                                {"collateral", std::to_string(a.collateral)},
                                {"position", std::to_string(a.position)},
                                {"funding_paid", str(a.funding_paid)}});
        ops.push_back({{"type", op_name(op.type)}, {"accounts", std::move(accounts)}});
    }
    return {{"old_root", old_root.to_decimal()},
            {"new_root", new_root.to_decimal()},
            {"batch_commitment", batch_commitment.to_decimal()},
            {"funding_pool_before", std::to_string(funding_pool_before)},
            {"funding_pool_after", std::to_string(funding_pool_after)},
            {"total_deposits", str(total_deposits)},
            {"total_withdrawals", str(total_withdrawals)},
            {"operations", std::move(ops)}};
}

}  // namespace provernet::finance::state
