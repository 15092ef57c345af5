// The state transition's plain model: margin and funding arithmetic against independent exact
// computations, each operation's effect by hand, conservation, rule violations and the JSON form.
#include "finance/state_model.hpp"

#include "circuit/merkle4.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <random>

using namespace provernet;
using namespace provernet::finance::state;
using math::Fr;
using math::U256;

namespace {

constexpr int64_t one = int64_t(1) << fraction_bits;  // funding index 1.0

// Whether the non-negative integers a, b (field elements below 2^200) satisfy a >= b.
bool field_geq(const Fr& a, const Fr& b) { return a.to_u256() >= b.to_u256(); }
bool field_small(const Fr& a) { return a.to_u256().bit_length() < 200; }

Fr fr128(int128 v) { return v < 0 ? -fr128(-v) : Fr::from_uint(uint64_t(v >> 64)) * Fr::from_uint(1ull << 32) *
                                                     Fr::from_uint(1ull << 32) +
                                                 Fr::from_uint(uint64_t(v)); }

std::string error_of(const Batch& batch, const Layout& layout, Rules rules = Rules::enforce)
{
    try {
        run_batch(batch, layout, "batch.json", rules);
    } catch (const circuit::InputError& e) {
        return e.what();
    }
    return "";
}

const Layout small{4, 4, 2};
const Market market{1000, uint64_t(1) << 29, 0};  // price 1000, risk factor 1/8, funding index 0

}  // namespace

TEST(StateModel, LayoutAndNames)
{
    EXPECT_EQ((Layout{32, 2, 2}).name(), "state-transition-d32-s2-t2");
    EXPECT_EQ((Layout{32, 2, 2}).levels(), 16u);
    EXPECT_EQ((Layout{32, 2, 2}).capacity(), uint64_t(1) << 32);
    EXPECT_NO_THROW((Layout{2, 1, 0}).check());
    EXPECT_THROW((Layout{3, 1, 1}).check(), std::invalid_argument);
    EXPECT_THROW((Layout{34, 1, 1}).check(), std::invalid_argument);
    EXPECT_THROW((Layout{0, 1, 1}).check(), std::invalid_argument);
    EXPECT_THROW((Layout{8, 0, 0}).check(), std::invalid_argument);
    EXPECT_STREQ(op_name(OpType::liquidation), "liquidation");
    EXPECT_TRUE(is_two_account(OpType::trade));
    EXPECT_FALSE(is_two_account(OpType::funding));
}

TEST(StateModel, TreeHoldsAccountLeaves)
{
    AccountTree tree(8);
    EXPECT_EQ(tree.root(), circuit::merkle4_zero_hash(4));
    Account a{Fr::from_uint(5), Fr::from_uint(6), 7, -8, 9, -10};
    tree.set(200, a);
    ASSERT_NE(tree.find(200), nullptr);
    EXPECT_EQ(*tree.find(200), a);
    EXPECT_EQ(tree.find(201), nullptr);
    circuit::Merkle4Tree plain(4);
    plain.set_leaf(200, account_leaf(a));
    EXPECT_EQ(tree.root(), plain.root());
    EXPECT_EQ(circuit::merkle4_root_from_proof(account_leaf(a), tree.proof(200)), tree.root());
    // Each field reaches the leaf.
    for (int field = 0; field < 6; ++field) {
        Account b = a;
        switch (field) {
        case 0: b.key_x += Fr::one(); break;
        case 1: b.key_y += Fr::one(); break;
        case 2: ++b.nonce; break;
        case 3: ++b.collateral; break;
        case 4: ++b.position; break;
        default: ++b.funding_index;
        }
        EXPECT_NE(account_leaf(b), account_leaf(a)) << "field " << field;
    }
}

TEST(StateModel, MarginMatchesScaledComparison)
{
    // healthy <=> 2^32 (C + P p) >= rf |P| p, and TR is the least integer with 2^32 TR >= rf |P| p,
    // checked in the field (every quantity is below 2^161, far from r).
    std::mt19937_64 rng(3);
    const int64_t extremes[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX};
    int healthy = 0;
    for (int i = 0; i < 3000; ++i) {
        Account a;
        Market m;
        a.collateral = i < 36 ? extremes[i % 6] : int64_t(rng()) >> (rng() % 64);
        a.position = i < 36 ? extremes[i / 6] : int64_t(rng()) >> (rng() % 64);
        m.oracle_price = i % 7 == 0 ? UINT64_MAX : rng() >> (rng() % 64);
        m.risk_factor = i % 5 == 0 ? 0xffffffffu : rng() >> 32 >> (rng() % 32);
        const Fr scale = Fr::from_uint(uint64_t(1) << fraction_bits);
        const Fr size = a.position < 0 ? -Fr::from_int(a.position) : Fr::from_int(a.position);
        const Fr required = Fr::from_uint(m.risk_factor) * size * Fr::from_uint(m.oracle_price);
        const Fr value = (Fr::from_int(a.collateral) + Fr::from_int(a.position) * Fr::from_uint(m.oracle_price)) * scale;
        const Fr surplus = value - required;
        EXPECT_EQ(is_healthy(a, m), field_small(surplus)) << i;
        healthy += is_healthy(a, m);
        const int128 tr = margin_requirement(a, m);
        ASSERT_GE(tr, 0);
        EXPECT_TRUE(field_geq(fr128(tr) * scale, required)) << i;
        if (tr > 0) {
            EXPECT_FALSE(field_geq(fr128(tr - 1) * scale, required)) << i;
        }
        EXPECT_EQ(total_value(a, m), int128(a.collateral) + int128(a.position) * m.oracle_price);
    }
    EXPECT_GT(healthy, 500);  // both outcomes, many times
    EXPECT_LT(healthy, 2500);
}

TEST(StateModel, FundingRoundsAgainstTheAccount)
{
    // (F - cached) * position owed, paid = ceil(owed / 2^32): payers round up, receivers down.
    struct Case {
        int64_t delta, position;
        int128 paid;
    };
    const Case cases[] = {{1, 1, 1},           {1, -1, 0},          {one, 3, 3},       {one + 1, -5, -5},
                          {one - 1, 1, 1},     {-one, 2, -2},       {0, 1000, 0},      {7, 0, 0},
                          {-(one + 1), 1, -1}, {one / 2, -3, -1}};
    for (const Case& c : cases) {
        Account a;
        a.position = c.position;
        a.funding_index = -c.delta;
        EXPECT_EQ(funding_due(a, Market{1, 0, 0}), c.paid) << c.delta << " x " << c.position;
    }
    std::mt19937_64 rng(5);
    for (int i = 0; i < 2000; ++i) {
        Account a;
        Market m{1, 0, int64_t(rng())};
        a.funding_index = int64_t(rng()) >> (rng() % 64);
        a.position = int64_t(rng()) >> (rng() % 64);
        const Fr owed = (Fr::from_int(m.funding_index) - Fr::from_int(a.funding_index)) * Fr::from_int(a.position);
        const Fr gap = fr128(funding_due(a, m)) * Fr::from_uint(uint64_t(1) << fraction_bits) - owed;
        EXPECT_LT(gap.to_u256().bit_length(), 33u) << i;  // 0 <= paid 2^32 - owed < 2^32
    }
}

TEST(StateModel, OperationsApplyTheRules)
{
    // Funding index 1.0 now; account 1 cached 0.5 with position 3: owes 1.5 -> pays 2.
    const Market m{1000, uint64_t(1) << 29, one};
    BatchBuilder bb(small, m, 100);
    bb.account(1, 50'000, 3, one / 2).account(2, 80'000, -2, one).account(3, -7'001, 8, one).account(4, 90'000, 0, one);
    bb.deposit(9, 500).withdrawal(1, 1'000).funding(2).deposit(1, 10);
    bb.trade(2, 1, 5, 990).liquidation(4, 3, 8);
    const ModelRun run = run_batch(bb.batch(), small);
    const auto& ops = run.result.operations;
    ASSERT_EQ(ops.size(), 6u);
    auto check = [](const AccountResult& r, uint64_t account, uint64_t nonce, int64_t c, int64_t p, int128 paid) {
        EXPECT_EQ(r.account, account);
        EXPECT_EQ(r.nonce, nonce);
        EXPECT_EQ(r.collateral, c);
        EXPECT_EQ(r.position, p);
        EXPECT_EQ(r.funding_paid, paid);
    };
    check(ops[0].accounts[0], 9, 0, 500, 0, 0);                  // a new account
    check(ops[1].accounts[0], 1, 1, 50'000 - 2 - 1'000, 3, 2);   // funding 1.5 -> 2, then withdrawal
    check(ops[2].accounts[0], 2, 0, 80'000, -2, 0);              // funding up to date already
    check(ops[3].accounts[0], 1, 1, 48'998 + 10, 3, 0);          // deposit, no signature, no nonce
    check(ops[4].accounts[0], 2, 1, 80'000 - 4'950, 3, 0);       // buyer
    check(ops[4].accounts[1], 1, 2, 49'008 + 4'950, -2, 0);      // seller
    check(ops[5].accounts[0], 4, 1, 90'000 - 8'000, 8, 0);       // liquidator takes 8 at 1000
    check(ops[5].accounts[1], 3, 0, -7'001 + 8'000, 0, 0);       // keeps its total value 999
    EXPECT_EQ(run.result.total_deposits, 510);
    EXPECT_EQ(run.result.total_withdrawals, 1'000);
    EXPECT_EQ(run.result.funding_pool_before, 100);
    EXPECT_EQ(run.result.funding_pool_after, 102);
    // The trace fills the layout with no-ops on account 0, which stay empty.
    ASSERT_EQ(run.trace.singles.size(), 4u);
    ASSERT_EQ(run.trace.doubles.size(), 2u);
    // The new root is the tree of the final states.
    AccountTree tree(small.depth);
    for (const auto& [i, a] : bb.batch().accounts)
        tree.set(i, a);
    for (const auto& slots : {run.trace.singles, run.trace.doubles})
        for (const SlotTrace& s : slots)
            for (const Touch& t : s.touches)
                if (s.op.type != OpType::none)
                    tree.set(t.index, t.after);
    EXPECT_EQ(tree.root(), run.result.new_root);
    EXPECT_EQ(tree.find(0), nullptr);
}

TEST(StateModel, ConservesCollateral)
{
    std::mt19937_64 rng(9);
    const Market m{1500, 429496730, 3 * one};
    for (int round = 0; round < 5; ++round) {
        BatchBuilder bb(Layout{4, 4, 2}, m, int64_t(rng() % 1000));
        for (uint64_t i = 1; i <= 4; ++i)
            bb.account(i, 1'000'000 + int64_t(rng() % 1000), int64_t(rng() % 200) - 100, 3 * one - int64_t(rng() % (4 * one)));
        bb.funding(1).deposit(5, rng() % 1000).withdrawal(2, rng() % 1000).funding(3);
        bb.trade(3, 4, 1 + rng() % 50, 1400 + rng() % 200).trade(1, 2, 1 + rng() % 50, 1400 + rng() % 200);
        const Batch batch = bb.batch();
        const ModelRun run = run_batch(batch, Layout{4, 4, 2});
        int128 delta = 0;
        for (const auto& slots : {run.trace.singles, run.trace.doubles})
            for (const SlotTrace& s : slots)
                if (s.op.type != OpType::none)
                    for (const Touch& t : s.touches)
                        delta += int128(t.after.collateral) - t.before.value_or(Account{}).collateral;
        const BatchResult& r = run.result;
        EXPECT_EQ(delta, r.total_deposits - r.total_withdrawals - (r.funding_pool_after - r.funding_pool_before));
        // The pool gains what the rounding keeps: at least the exact (fractional) funding flow.
        EXPECT_NE(r.funding_pool_after, r.funding_pool_before);
    }
}

TEST(StateModel, RejectsBrokenRulesNamingTheOperation)
{
    auto base = [] {
        BatchBuilder bb(small, market);
        bb.account(1, 5'000, 0, 0).account(2, 1'000'000, 0, 0).account(3, -7'000, 8, 0).account(4, 1'000'000, 0, 0);
        return bb;
    };
    struct Case {
        const char* name;
        std::function<Batch()> make;
        const char* field;
        const char* problem;
    };
    const std::vector<Case> cases = {
        {"withdrawal beyond balance", [&] { return base().withdrawal(1, 5'001).batch(); }, "operations[0]",
         "exceeds account 1's balance"},
        {"bad signature",
         [&] {
             auto bb = base();
             bb.funding(2).withdrawal(1, 10);
             bb.last().amount = 11;  // signed for 10
             return bb.batch();
         },
         "operations[1]", "the signature of account 1 does not verify"},
        {"replayed nonce",
         [&] {
             auto bb = base();
             bb.withdrawal(1, 10);
             const Operation again = bb.last();
             Batch b = bb.batch();
             b.operations.push_back(again);
             return b;
         },
         "operations[1]", "nonce 0 is not account 1's next nonce 1 (replayed"},
        {"trade under margin", [&] { return base().trade(1, 2, 45, 1000).batch(); }, "operations[0]",
         "leaves the buyer, account 1 below its margin requirement"},
        {"seller under margin", [&] { return base().trade(2, 1, 45, 1000).batch(); }, "operations[0]",
         "leaves the seller, account 1 below its margin requirement"},
        {"liquidation of a healthy account", [&] { return base().liquidation(4, 3, 8).batch(); }, "operations[0]",
         "account 3 is not liquidatable: total value 1000 >= requirement 1000"},
        {"liquidation of the wrong position",
         [&] {
             BatchBuilder bb(small, market);
             bb.account(3, -7'001, 8, 0).account(4, 1'000'000, 0, 0).liquidation(4, 3, 7);
             return bb.batch();
         },
         "operations[0]", "position 7 is not account 3's position 8"},
        {"self-trade", [&] { return base().trade(2, 2, 1, 1000).batch(); }, "operations[0]",
         "the buyer and the seller are the same account"},
        {"missing account", [&] { return base().withdrawal(7, 1).batch(); }, "operations[0]",
         "account 7 does not exist"},
        {"deposit for another key",
         [&] {
             auto bb = base();
             bb.deposit(2, 10);
             bb.last().key_x += Fr::one();
             return bb.batch();
         },
         "operations[0]", "the deposit's public key differs from account 2's"},
        {"wrong old root",
         [&] {
             Batch b = base().funding(1).batch();
             b.old_root += Fr::one();
             return b;
         },
         "old_root", "does not match the root of the accounts"},
        {"single after double", [&] { return base().trade(2, 4, 1, 1000).funding(1).batch(); }, "operations[1]",
         "a funding after a two-account operation"},
        {"too many", [&] { return base().funding(1).funding(1).funding(1).funding(1).funding(2).batch(); },
         "operations", "5 single-account operations, but state-transition-d4-s4-t2 has 4"},
        {"collateral overflow", [&] { return base().deposit(2, uint64_t(INT64_MAX)).batch(); }, "operations[0]",
         "account 2's collateral would leave [-2^63, 2^63)"},
    };
    for (const Case& c : cases) {
        const std::string e = error_of(c.make(), small);
        EXPECT_NE(e.find(std::string("batch.json: field \"") + c.field + "\""), std::string::npos) << c.name << ": " << e;
        EXPECT_NE(e.find(c.problem), std::string::npos) << c.name << ": " << e;
    }
    // The same batches pass the model when its rules are skipped (the circuit tests use this),
    // except the shape and representation limits.
    EXPECT_EQ(error_of(cases[0].make(), small, Rules::skip), "");
    EXPECT_NE(error_of(cases[12].make(), small, Rules::skip), "");
}

TEST(StateModel, JsonRoundTrip)
{
    BatchBuilder bb(small, Market{2000, 429496730, -3 * one}, -42);
    bb.account(1, -5, 7, -one, 3).account(2, 1'000'000, -7, 0, 9);
    bb.deposit(15, 12).withdrawal(2, 5, Fr::from_uint(0xabc)).funding(1).trade(2, 1, 3, 1999).liquidation(2, 1, 4);
    const Batch batch = bb.batch();
    const nlohmann::json j = batch_to_json(batch);
    const Batch back = read_batch(circuit::Inputs(j, "rt.json"), small);
    EXPECT_EQ(batch_to_json(back), j);
    EXPECT_EQ(back.old_root, batch.old_root);
    ASSERT_EQ(back.operations.size(), 5u);
    EXPECT_EQ(back.operations[3].counterparty_signature.s, batch.operations[3].counterparty_signature.s);
    EXPECT_EQ(back.operations[4].position, 4);
    EXPECT_EQ(back.accounts.at(1).funding_index, -one);
}

TEST(StateModel, JsonErrorsNameTheField)
{
    BatchBuilder bb(small, market);
    bb.account(1, 5, 0, 0).withdrawal(1, 5).trade(1, 2, 1, 1);
    const nlohmann::json good = batch_to_json(bb.batch());
    auto error = [&](const std::function<void(nlohmann::json&)>& spoil) {
        nlohmann::json j = good;
        spoil(j);
        try {
            read_batch(circuit::Inputs(j, "in.json"), small);
        } catch (const circuit::InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    struct Case {
        std::function<void(nlohmann::json&)> spoil;
        const char* message;
    };
    const std::vector<Case> cases = {
        {[](auto& j) { j.erase("oracle_price"); }, "field \"oracle_price\": missing"},
        {[](auto& j) { j["risk_factor"] = "4294967296"; }, "field \"risk_factor\": value 4294967296 is outside"},
        {[](auto& j) { j["funding_index"] = "9223372036854775808"; }, "field \"funding_index\": value"},
        {[](auto& j) { j["old_root"] = "x"; }, "field \"old_root\": \"x\" is not a non-negative integer"},
        {[](auto& j) { j["accounts"][0]["collateral"] = "1.5"; }, "field \"accounts[0].collateral\""},
        {[](auto& j) { j["accounts"][0]["index"] = 16; }, "field \"accounts[0].index\": value 16 is outside [0, 15]"},
        {[](auto& j) { j["accounts"].push_back(j["accounts"][0]); }, "field \"accounts[1].index\": account 1 appears twice"},
        {[](auto& j) { j["accounts"][0]["public_key"] = {"1"}; }, "field \"accounts[0].public_key\": expected 2"},
        {[](auto& j) { j["operations"][0]["amount"] = "-1"; }, "field \"operations[0].amount\": value -1 is outside"},
        {[](auto& j) { j["operations"][0]["recipient"] = "0x1" + std::string(40, '0'); },
         "field \"operations[0].recipient\": does not fit in 160 bits"},
        {[](auto& j) { j["operations"][0]["signature"].erase("s"); }, "field \"operations[0].signature.s\": missing"},
        {[](auto& j) { j["operations"][0]["colour"] = "red"; }, "field \"operations[0].colour\": unknown field"},
        {[](auto& j) { j["operations"][1]["type"] = "swap"; }, "field \"operations[1].type\": \"swap\" is not"},
        {[](auto& j) { j["operations"][1]["amount"] = "0"; }, "field \"operations[1].amount\": value 0 is outside [1,"},
        {[](auto& j) { j["operations"][1].erase("seller_nonce"); }, "field \"operations[1].seller_nonce\": missing"},
        {[](auto& j) { j["operations"] = 3; }, "field \"operations\": expected an array"},
    };
    for (const Case& c : cases) {
        const std::string e = error(c.spoil);
        EXPECT_NE(e.find(c.message), std::string::npos) << "expected \"" << c.message << "\", got \"" << e << "\"";
    }
    EXPECT_EQ(error([](auto&) {}), "");
}
