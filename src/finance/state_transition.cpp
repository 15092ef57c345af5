#include "finance/state_transition.hpp"

#include "circuit/commitment.hpp"
#include "circuit/eddsa.hpp"
#include "circuit/gadgets.hpp"
#include "circuit/merkle4.hpp"
#include "circuit/poseidon.hpp"
#include "finance/fixed_inputs.hpp"

#include <array>
#include <stdexcept>

namespace provernet::finance {

namespace state {

namespace {

using circuit::Builder;
using circuit::ConstraintViolation;
using circuit::Signal;

// Margins, after scaling by 2^32, lie within 2^160 + 2^95 of zero: 161 bits tell their sign.
constexpr unsigned margin_bits = 161;

Fr F(uint64_t v) { return Fr::from_uint(v); }
Signal constant(int64_t v) { return Builder::constant(v); }

const Fr& pow2(unsigned k)
{
    static const auto table = [] {
        std::array<Fr, 254> t;
        t[0] = Fr::one();
        for (size_t i = 1; i < t.size(); ++i)
            t[i] = t[i - 1].dbl();
        return t;
    }();
    return table.at(k);
}

// A field element read as a signed integer of magnitude below 2^127 (r - |x| for negatives).
int128 to_int128(const Fr& v)
{
    const bool negative = v.to_u256().bit_length() > 128;
    const math::U256 m = (negative ? -v : v).to_u256();
    if (m.limb[2] != 0 || m.limb[3] != 0 || (m.limb[1] >> 63) != 0)
        throw std::logic_error("state transition: a witness value is not a 127-bit integer");
    const int128 magnitude = int128((unsigned __int128)m.limb[1] << 64 | m.limb[0]);
    return negative ? -magnitude : magnitude;
}

bool fits(const Fr& v, unsigned bits) { return v.to_u256().bit_length() <= bits; }

// 0 <= s < 2^bits, with `what` as the message when the value is outside.
std::vector<Signal> range(Builder& b, const Signal& s, unsigned bits, const std::string& what)
{
    if (!fits(s.value(), bits))
        throw ConstraintViolation(what);
    return circuit::to_bits(b, s, bits);
}

// -2^63 <= x < 2^63; returns the boolean x < 0 (the complement of the top bit of x + 2^63).
Signal signed64(Builder& b, const Signal& x, const std::string& what)
{
    const std::vector<Signal> bits = range(b, x + Builder::constant(pow2(63)), 64, what);
    return constant(1) - bits[63];
}

// The placeholder an unsigned operation's signature check verifies instead: a fixed key's
// signature on 0. The circuit forces the signature wires to it, so the witness stays unique.
struct Placeholder {
    circuit::BabyJubPoint key;
    Fr msg;
    circuit::EddsaSignature sig;
};

const Placeholder& placeholder()
{
    static const Placeholder p = [] {
        circuit::EddsaSecretKey sk;
        sk.fill(0x42);
        Placeholder out;
        out.key = circuit::eddsa_public_key(sk);
        out.msg = Fr::zero();
        out.sig = circuit::eddsa_sign(sk, out.msg);
        return out;
    }();
    return p;
}

struct AccountSignals {
    Signal key_x, key_y, nonce, collateral, position, funding_index;
};

Signal leaf_hash(Builder& b, const AccountSignals& a)
{
    const std::array<Signal, 6> fields = {a.key_x, a.key_y, a.nonce, a.collateral, a.position, a.funding_index};
    return circuit::poseidon(b, fields);
}

// An account as read from its leaf, before the operation.
struct OpenAccount {
    Signal index;
    AccountSignals before;
    Signal is_empty, old_leaf;
    std::vector<circuit::Merkle4SiblingSignals> siblings;
};

struct SignatureSignals {
    Signal r8x, r8y, s;
};

struct Settled {
    Signal paid, collateral;  // funding paid into the pool; collateral after it
};

std::string label(size_t op_index, OpType t)
{
    return "operations[" + std::to_string(op_index) + "] (" + op_name(t) + ")";
}

std::string slot_name(const char* kind, size_t k) { return std::string(kind) + "[" + std::to_string(k) + "]"; }

std::string role_name(const char* role, uint64_t index)
{
    return std::string(role) + "account " + std::to_string(index);
}

class Circuit {
public:
    Circuit(Builder& b, const BatchTrace& trace) : b_(b), t_(trace), levels_(trace.layout.levels()) {}

    BatchResult build(CircuitCosts* costs)
    {
        CircuitCosts local;
        CircuitCosts& cost = costs ? *costs : local;
        size_t mark = b_.constraint_count();
        auto lap = [&] {
            const size_t n = b_.constraint_count() - mark;
            mark = b_.constraint_count();
            return n;
        };
        root_ = b_.public_input("old_root", t_.old_root);
        const Market& m = t_.market;
        oracle_price_ = b_.private_input("oracle_price", F(m.oracle_price));
        risk_factor_ = b_.private_input("risk_factor", F(m.risk_factor));
        funding_index_ = b_.private_input("funding_index", Fr::from_int(m.funding_index));
        const Signal pool_before = b_.private_input("funding_pool", Fr::from_int(t_.funding_pool));
        range(b_, oracle_price_, price_bits, "oracle_price does not fit in 64 bits");
        range(b_, risk_factor_, risk_factor_bits, "risk_factor does not fit in 32 bits");
        signed64(b_, funding_index_, "funding_index is outside [-2^63, 2^63)");
        signed64(b_, pool_before, "funding_pool is outside [-2^63, 2^63)");
        risk_price_ = b_.mul(risk_factor_, oracle_price_);
        cost.setup = lap();

        size_t singles_used = 0;
        for (const SlotTrace& s : t_.singles)
            singles_used += s.op.type != OpType::none;
        for (size_t k = 0; k < t_.singles.size(); ++k) {
            guarded(slot_name("single", k), t_.singles[k], k, [&] { single_slot(k, t_.singles[k]); });
            cost.single_slots.push_back(lap());
        }
        for (size_t k = 0; k < t_.doubles.size(); ++k) {
            guarded(slot_name("double", k), t_.doubles[k], singles_used + k, [&] { double_slot(k, t_.doubles[k]); });
            cost.double_slots.push_back(lap());
        }

        const Signal pool_in = sum(paid_);
        const Signal pool_after = pool_before + pool_in;
        signed64(b_, pool_after, "the batch takes the funding pool outside [-2^63, 2^63)");
        const Signal deposits = sum(deposits_), withdrawals = sum(withdrawals_);
        // Conservation: the collateral changes sum to deposits - withdrawals - funding paid into
        // the pool as linear combinations, so every witness satisfies it: a constraint would read
        // 0 = 0. Checked here on the structure, so a change that broke it could not go unnoticed.
        const Signal imbalance = sum(deltas_) - (deposits - withdrawals - pool_in);
        if (!imbalance.value().is_zero() || (b_.recording() && !imbalance.terms().empty()))
            throw std::logic_error("state transition: collateral is not conserved by construction");

        std::vector<Signal> committed = {oracle_price_, risk_factor_, funding_index_, pool_before};
        committed.insert(committed.end(), records_.begin(), records_.end());
        const Signal commitment = circuit::poseidon_commitment(b_, committed);
        b_.public_output("new_root", root_);
        b_.public_output("funding_pool_after", pool_after);
        b_.public_output("batch_commitment", commitment);
        cost.finish = lap();

        result_.old_root = t_.old_root;
        result_.new_root = root_.value();
        result_.batch_commitment = commitment.value();
        result_.funding_pool_before = int64_t(to_int128(pool_before.value()));
        result_.funding_pool_after = int64_t(to_int128(pool_after.value()));
        result_.total_deposits = to_int128(deposits.value());
        result_.total_withdrawals = to_int128(withdrawals.value());
        return std::move(result_);
    }

private:
    // Runs a slot, naming its operation in any violation.
    template <class Fn>
    void guarded(const std::string& slot, const SlotTrace& s, size_t op_index, Fn fn)
    {
        try {
            fn();
        } catch (const ConstraintViolation& e) {
            const std::string where = s.op.type == OpType::none ? "padding slot " + slot : label(op_index, s.op.type);
            throw ConstraintViolation(where + ": " + e.what());
        }
    }

    static Signal sum(const std::vector<Signal>& parts)
    {
        Signal acc = constant(0);
        for (const Signal& s : parts)
            acc += s;
        return acc;
    }

    Signal input(const std::string& name, const Fr& v) { return b_.private_input(name, v); }

    Signal flag(const std::string& name, bool v)
    {
        const Signal f = input(name, F(v));
        circuit::assert_boolean(b_, f);
        return f;
    }

    // x * y = 0, with `what` as the message when the values break it.
    void require_zero(const Signal& x, const Signal& y, const std::string& what)
    {
        if (!(x.value() * y.value()).is_zero())
            throw ConstraintViolation(what);
        b_.assert_product(x, y, constant(0), what.c_str());
    }

    OpenAccount open(const Touch& t, const Signal& index, const std::string& name)
    {
        const Account a = t.before.value_or(Account{});
        OpenAccount o;
        o.index = index;
        AccountSignals& s = o.before;
        s.key_x = input(name + ".key_x", a.key_x);
        s.key_y = input(name + ".key_y", a.key_y);
        s.nonce = input(name + ".nonce", F(a.nonce));
        s.collateral = input(name + ".collateral", Fr::from_int(a.collateral));
        s.position = input(name + ".position", Fr::from_int(a.position));
        s.funding_index = input(name + ".funding_index", Fr::from_int(a.funding_index));
        o.is_empty = flag(name + ".is_empty", !t.before.has_value());
        // An empty leaf (0) stands for the account of zeros.
        for (const Signal* f : {&s.key_x, &s.key_y, &s.nonce, &s.collateral, &s.position, &s.funding_index})
            require_zero(o.is_empty, *f, "an empty leaf's fields are zero");
        o.old_leaf = b_.mul(constant(1) - o.is_empty, leaf_hash(b_, s));
        o.siblings = circuit::merkle4_sibling_private_inputs(b_, t.proof, levels_, name + ".siblings");
        return o;
    }

    // Writes the account's new leaf (the old one again for a no-op) and moves the root on.
    void close(const OpenAccount& o, const AccountSignals& after, const Signal& is_noop, const std::string& who)
    {
        const Signal new_leaf = circuit::select(b_, is_noop, o.old_leaf, leaf_hash(b_, after));
        const circuit::MerkleUpdate u = circuit::merkle4_update(b_, o.old_leaf, new_leaf, o.index, o.siblings, levels_);
        const std::string what = who + "'s leaf and path do not lead to the current root";
        if (u.old_root.value() != root_.value())
            throw ConstraintViolation(what);
        b_.assert_equal(u.old_root, root_, what.c_str());
        root_ = u.new_root;
    }

    // Funding: paid = ceil((F - cached) * position / 2^32), as paid * 2^32 - owed in [0, 2^32).
    // paid is unique: it is bounded through the range-checked collateral it is subtracted from.
    Settled settle(const AccountSignals& a, const Signal& active)
    {
        const Signal owed = b_.mul(b_.mul(funding_index_ - a.funding_index, a.position), active);
        const int128 x = to_int128(owed.value());
        const Signal paid = b_.witness(int128_to_fr(-((-x) >> fraction_bits)));
        range(b_, paid * pow2(fraction_bits) - owed, fraction_bits, "funding rounding");
        paid_.push_back(paid);
        return {paid, a.collateral - paid};
    }

    // 2^32 (TV - TR) without the rounding of TR: 2^32 (C + P p) - |P| rf p.
    Signal margin(const Signal& collateral, const Signal& position, const Signal& negative)
    {
        const Signal size = circuit::select(b_, negative, -position, position);
        return (collateral + b_.mul(position, oracle_price_)) * pow2(fraction_bits) - b_.mul(size, risk_price_);
    }

    SignatureSignals signature_inputs(const circuit::EddsaSignature& sig, bool used, const std::string& name)
    {
        const circuit::EddsaSignature& s = used ? sig : placeholder().sig;
        const auto scalar = Fr::from_canonical(s.s);
        if (!scalar)
            throw ConstraintViolation(name + ": S is not below the field modulus");
        return {input(name + ".r8x", s.r8.x), input(name + ".r8y", s.r8.y), input(name + ".s", *scalar)};
    }

    // The owner's signature on msg when `enabled`, else the placeholder's.
    void check_signature(const Signal& enabled, const AccountSignals& owner, const Signal& msg,
                         const SignatureSignals& sig, const std::string& what)
    {
        const Placeholder& p = placeholder();
        const Signal off = constant(1) - enabled;
        const char* unused = "an unused signature is the placeholder";
        require_zero(off, sig.r8x - Builder::constant(p.sig.r8.x), unused);
        require_zero(off, sig.r8y - Builder::constant(p.sig.r8.y), unused);
        require_zero(off, sig.s - Builder::constant(*Fr::from_canonical(p.sig.s)), unused);
        const circuit::EddsaSignals s = {circuit::select(b_, enabled, owner.key_x, Builder::constant(p.key.x)),
                                         circuit::select(b_, enabled, owner.key_y, Builder::constant(p.key.y)),
                                         sig.r8x, sig.r8y, sig.s};
        circuit::assert_eddsa_signature(b_, s, circuit::select(b_, enabled, msg, Builder::constant(p.msg)),
                                        what.c_str());
    }

    void record(std::initializer_list<Signal> values) { records_.insert(records_.end(), values); }

    void report(OpType type, std::initializer_list<std::pair<const Signal*, const AccountSignals*>> touched,
                std::initializer_list<Signal> paid)
    {
        if (type == OpType::none)
            return;
        OperationResult r{type, {}};
        auto p = paid.begin();
        for (const auto& [index, a] : touched)
            r.accounts.push_back({index->value().to_u256().limb[0], a->nonce.value().to_u256().limb[0],
                                  int64_t(to_int128(a->collateral.value())), int64_t(to_int128(a->position.value())),
                                  to_int128((p++)->value())});
        result_.operations.push_back(std::move(r));
    }

    void single_slot(size_t k, const SlotTrace& s);
    void double_slot(size_t k, const SlotTrace& s);

    Builder& b_;
    const BatchTrace& t_;
    unsigned levels_;
    Signal root_, oracle_price_, risk_factor_, funding_index_, risk_price_;
    std::vector<Signal> records_, paid_, deposits_, withdrawals_, deltas_;
    BatchResult result_;
};

// Deposit, withdrawal or funding on one account (or a no-op).
void Circuit::single_slot(size_t k, const SlotTrace& s)
{
    const Operation& op = s.op;
    const Touch& t = s.touches.at(0);
    const std::string n = slot_name("single", k);
    const bool dep = op.type == OpType::deposit, wd = op.type == OpType::withdrawal;
    const bool noop = op.type == OpType::none;
    const std::string who = role_name("", t.index);

    const Signal is_dep = flag(n + ".is_deposit", dep), is_wd = flag(n + ".is_withdrawal", wd);
    const Signal is_fund = flag(n + ".is_funding", op.type == OpType::funding);
    const Signal is_noop = constant(1) - is_dep - is_wd - is_fund;
    circuit::assert_boolean(b_, is_noop);  // at most one kind
    const Signal active = constant(1) - is_noop;
    const Signal type = is_dep + is_wd * F(2) + is_fund * F(3);

    // The record: type, account, amount, key_x or recipient, key_y; unused fields are zero.
    const Signal account = input(n + ".account", F(noop ? 0 : op.account));
    const Signal amount = input(n + ".amount", F(dep || wd ? op.amount : 0));
    const Signal arg0 = input(n + ".arg0", dep ? op.key_x : wd ? op.recipient : Fr::zero());
    const Signal arg1 = input(n + ".arg1", dep ? op.key_y : Fr::zero());
    require_zero(is_noop, account, "a no-op names account 0");
    require_zero(is_fund + is_noop, amount, "funding and no-ops have no amount");
    require_zero(is_fund + is_noop, arg0, "funding and no-ops have no key or recipient");
    require_zero(constant(1) - is_dep, arg1, "only a deposit has a key");
    range(b_, amount, amount_bits, "the amount does not fit in 63 bits");
    range(b_, b_.mul(is_wd, arg0), recipient_bits, "the recipient does not fit in 160 bits");
    record({type, account, amount, arg0, arg1});

    const OpenAccount o = open(t, account, n);
    const AccountSignals& before = o.before;
    require_zero(o.is_empty, is_wd + is_fund, who + " does not exist");
    const Settled st = settle(before, active);
    const Signal dep_amount = b_.mul(is_dep, amount), wd_amount = b_.mul(is_wd, amount);

    AccountSignals after = before;
    after.collateral = st.collateral + dep_amount - wd_amount;
    signed64(b_, after.collateral, who + "'s collateral leaves [-2^63, 2^63)");
    const Signal negative = signed64(b_, before.position, who + "'s position is outside [-2^63, 2^63)");
    after.nonce = before.nonce + is_wd;
    range(b_, after.nonce, nonce_bits, who + "'s nonce is exhausted");
    after.funding_index = funding_index_;
    // A deposit creates an empty account with its key, else the key must be the account's.
    after.key_x = before.key_x + b_.mul(o.is_empty, arg0 - before.key_x);
    after.key_y = before.key_y + b_.mul(o.is_empty, arg1 - before.key_y);
    const std::string key_what = "the deposit's public key differs from " + who + "'s";
    require_zero(is_dep, arg0 - after.key_x, key_what);
    require_zero(is_dep, arg1 - after.key_y, key_what);

    // A withdrawal leaves the account healthy (with no position: within its balance).
    range(b_, b_.mul(margin(after.collateral, after.position, negative), is_wd), margin_bits,
          "the withdrawal leaves " + who + " below its margin requirement or balance");
    const std::array<Signal, 5> msg = {constant(int64_t(OpType::withdrawal)), account, amount, arg0, before.nonce};
    check_signature(is_wd, before, circuit::poseidon(b_, msg), signature_inputs(op.signature, wd, n + ".signature"),
                    "the signature of " + who + " does not verify");
    close(o, after, is_noop, who);

    deposits_.push_back(dep_amount);
    withdrawals_.push_back(wd_amount);
    deltas_.push_back(after.collateral - before.collateral);
    report(op.type, {{&account, &after}}, {st.paid});
}

// Trade (account = buyer, counterparty = seller) or liquidation (account = liquidator,
// counterparty = the liquidated account), or a no-op. Both move `amount` of position from the
// counterparty to the account against amount * price of collateral.
void Circuit::double_slot(size_t k, const SlotTrace& s)
{
    const Operation& op = s.op;
    const std::string n = slot_name("double", k);
    const bool trade = op.type == OpType::trade, liq = op.type == OpType::liquidation;
    const bool noop = op.type == OpType::none;
    const Touch& ta = s.touches.at(0);
    const Touch& tb = s.touches.at(1);
    const std::string who_a = role_name(liq ? "the liquidator, " : trade ? "the buyer, " : "", ta.index);
    const std::string who_b = role_name(liq ? "the liquidated account, " : trade ? "the seller, " : "", tb.index);

    const Signal is_trade = flag(n + ".is_trade", trade), is_liq = flag(n + ".is_liquidation", liq);
    const Signal is_noop = constant(1) - is_trade - is_liq;
    circuit::assert_boolean(b_, is_noop);
    const Signal active = constant(1) - is_noop;
    const Signal type = is_trade * F(4) + is_liq * F(5);

    const Signal a = input(n + ".account", F(noop ? 0 : op.account));
    const Signal c = input(n + ".counterparty", F(noop ? 0 : op.counterparty));
    const Signal amount = input(n + ".amount", trade ? F(op.amount) : liq ? Fr::from_int(op.position) : Fr::zero());
    const Signal price = input(n + ".price", F(trade ? op.price : liq ? t_.market.oracle_price : 0));
    for (const Signal* f : {&a, &c, &amount, &price})
        require_zero(is_noop, *f, "a no-op's fields are zero");
    require_zero(is_liq, price - oracle_price_, "a liquidation is at the oracle price");
    // a != c (a no-op's are both 0): (a - c + noop) has an inverse.
    const Fr gap = a.value() - c.value() + is_noop.value();
    if (gap.is_zero())
        throw ConstraintViolation("the two accounts are the same");
    b_.assert_product(a - c + is_noop, b_.witness(gap.inverse()), constant(1), "the two accounts are the same");
    range(b_, b_.mul(is_trade, amount - constant(1)), amount_bits, "the trade amount is outside [1, 2^63)");
    range(b_, price, price_bits, "the price does not fit in 64 bits");
    record({type, a, c, amount, price});
    const Signal transfer = b_.mul(amount, price);

    // The buyer or liquidator: takes the position, pays for it, signs, is healthy after.
    const OpenAccount oa = open(ta, a, n + ".a");
    require_zero(oa.is_empty, active, who_a + " does not exist");
    const Settled sa = settle(oa.before, active);
    AccountSignals after_a = oa.before;
    after_a.collateral = sa.collateral - transfer;
    after_a.position = oa.before.position + amount;
    after_a.nonce = oa.before.nonce + active;
    after_a.funding_index = funding_index_;
    signed64(b_, after_a.collateral, who_a + "'s collateral leaves [-2^63, 2^63)");
    const Signal negative_a = signed64(b_, after_a.position, who_a + "'s position leaves [-2^63, 2^63)");
    range(b_, after_a.nonce, nonce_bits, who_a + "'s nonce is exhausted");
    range(b_, b_.mul(margin(after_a.collateral, after_a.position, negative_a), active), margin_bits,
          who_a + " ends below its margin requirement");
    // Order: (tag, signer, counterparty (liquidation only), amount, price, nonce).
    const std::array<Signal, 6> msg_a = {type, a, b_.mul(is_liq, c), amount, price, oa.before.nonce};
    check_signature(active, oa.before, circuit::poseidon(b_, msg_a),
                    signature_inputs(op.signature, trade || liq, n + ".signature"),
                    "the signature of " + who_a + " does not verify");
    close(oa, after_a, is_noop, who_a);

    // The seller or the liquidated account (its path is in the tree after the first update).
    const OpenAccount ob = open(tb, c, n + ".b");
    require_zero(ob.is_empty, active, who_b + " does not exist");
    const Settled sb = settle(ob.before, active);
    require_zero(is_liq, amount - ob.before.position, "the position taken over is not " + who_b + "'s position");
    AccountSignals after_b = ob.before;
    after_b.collateral = sb.collateral + transfer;
    after_b.position = ob.before.position - amount;
    after_b.nonce = ob.before.nonce + is_trade;
    after_b.funding_index = funding_index_;
    signed64(b_, after_b.collateral, who_b + "'s collateral leaves [-2^63, 2^63)");
    range(b_, after_b.nonce, nonce_bits, who_b + "'s nonce is exhausted");
    // A seller must be healthy after the trade; a liquidated account unhealthy before (after
    // funding): one margin on the selected state, m >= 0 or -m - 1 >= 0. The range check of the
    // selected position also bounds a seller's new position (a liquidated one's is 0).
    const Signal position_b = circuit::select(b_, is_liq, ob.before.position, after_b.position);
    const Signal collateral_b = circuit::select(b_, is_liq, sb.collateral, after_b.collateral);
    const Signal negative_b = signed64(b_, position_b, who_b + "'s position leaves [-2^63, 2^63)");
    const Signal margin_b = margin(collateral_b, position_b, negative_b);
    range(b_, b_.mul(margin_b, is_trade - is_liq) - is_liq, margin_bits,
          liq ? who_b + " is not liquidatable (total value >= requirement)"
              : who_b + " ends below its margin requirement");
    const std::array<Signal, 6> msg_b = {constant(int64_t(OpType::trade)), c, constant(0), -amount, price,
                                         ob.before.nonce};
    check_signature(is_trade, ob.before, circuit::poseidon(b_, msg_b),
                    signature_inputs(op.counterparty_signature, trade, n + ".counterparty_signature"),
                    "the signature of " + who_b + " does not verify");
    close(ob, after_b, is_noop, who_b);

    deltas_.push_back(after_a.collateral - oa.before.collateral);
    deltas_.push_back(after_b.collateral - ob.before.collateral);
    report(op.type, {{&a, &after_a}, {&c, &after_b}}, {sa.paid, sb.paid});
}

}  // namespace

BatchResult build_state_transition(Builder& b, const BatchTrace& trace, CircuitCosts* costs)
{
    trace.layout.check();
    if (trace.singles.size() != trace.layout.single_slots || trace.doubles.size() != trace.layout.double_slots)
        throw std::invalid_argument("build_state_transition: the trace does not fill the layout's slots");
    return Circuit(b, trace).build(costs);
}

Batch example_batch(const Layout& layout)
{
    layout.check();
    // Funding index 5.0, oracle price 2000, risk factor 10%, and accounts (fewer in a tree of 4):
    //   1, 2  traders with collateral 1,000,000
    //   3     long 100 with collateral -190,000 and funding index 4.0 cached: after funding
    //         (100 paid) TV = 9,900 < TR = 20,000, so liquidatable
    //   4     a liquidator with 5,000,000
    // Deposits open new accounts from the top of the tree downwards.
    const int64_t f = int64_t(5) << fraction_bits;
    BatchBuilder builder(layout, {2000, 429496730, f});
    builder.account(1, 1'000'000, 0, f).account(2, 1'000'000, 0, f);
    const bool liquidation = layout.capacity() > 4;
    if (liquidation)
        builder.account(3, -190'000, 100, int64_t(4) << fraction_bits).account(4, 5'000'000, 0, f);
    for (size_t k = 0; k < layout.single_slots; ++k) {
        if (k % 3 == 0)
            builder.deposit(layout.capacity() - 1 - (k / 3) % layout.capacity(), 50'000);
        else if (k % 3 == 1)
            builder.withdrawal(1, 1'000);
        else
            builder.funding(liquidation ? 3 : 2);
    }
    for (size_t k = 0; k < layout.double_slots; ++k) {
        if (k == 1 && liquidation)
            builder.liquidation(4, 3, 100);
        else
            builder.trade(1 + k % 2, 2 - k % 2, 10, 2000 + k);  // alternate buyer and seller
    }
    return builder.batch();
}

}  // namespace state

Program state_transition_program(unsigned depth, size_t single_slots, size_t double_slots)
{
    const state::Layout layout{depth, single_slots, double_slots};
    layout.check();
    Program p;
    p.name = layout.name();
    p.description = "Perpetual accounts in a 4-ary Poseidon tree of 2^" + std::to_string(depth) + ": " +
                    std::to_string(single_slots) + " deposit/withdrawal/funding and " +
                    std::to_string(double_slots) + " trade/liquidation slots, signatures and margins checked";
    p.build = [layout](circuit::Builder& b, const circuit::Inputs& in) {
        const state::Batch batch = state::read_batch(in, layout);
        return state::build_state_transition(b, state::run_batch(batch, layout, in.source()).trace).to_json();
    };
    p.reference = [layout](const circuit::Inputs& in) {
        return state::run_batch(state::read_batch(in, layout), layout, in.source()).result.to_json();
    };
    p.example_input = state::batch_to_json(state::example_batch(layout));
    p.bound_public_signals = [layout](const circuit::Inputs& in) {
        const state::Batch batch = state::read_batch(in, layout);
        return std::vector<std::pair<size_t, math::Fr>>{
            {2, circuit::poseidon_commitment(state::commitment_values(batch, layout, in.source()))},
            {3, batch.old_root}};
    };
    p.public_signals =
        "new_root (output): the account tree's root after the batch; funding_pool_after (output, signed as "
        "r - |x|): the funding pool after the batch's funding payments; batch_commitment (output): Poseidon "
        "commitment (circuit/commitment.hpp) to the batch's inputs [oracle_price, risk_factor, funding_index, "
        "funding_pool] and 5 values per slot (single: type, account, amount, deposit key x or withdrawal "
        "recipient, deposit key y; two-account: type, account, counterparty, amount or liquidated position, "
        "price), which the contract recomputes from the calldata it checks (market values and pool against its "
        "own, deposits against its queue, withdrawals to pay); old_root (input): the contract's current root";
    return p;
}

}  // namespace provernet::finance
