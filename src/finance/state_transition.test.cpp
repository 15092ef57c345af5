// The account state transition circuit against its model: random batches, edge cases, rejections
// by the model and by the circuit on its own, tampered witnesses, constraint counts per slot, the
// Program interface.
#include "finance/state_transition.hpp"

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <random>

using namespace provernet;
using namespace provernet::finance;
using namespace provernet::finance::state;
using circuit::Builder;
using circuit::ConstraintViolation;
using circuit::Mode;
using math::Fr;

namespace {

constexpr int64_t one = int64_t(1) << fraction_bits;  // funding index 1.0
const Market eighth{1000, uint64_t(1) << 29, 0};      // price 1000, risk factor 1/8, funding index 0

// Model and circuit on one batch: the circuit's result (read from its witness) equals the
// model's, and the witness satisfies every constraint.
BatchResult check_agreement(const Batch& batch, const Layout& layout, Mode mode = Mode::full)
{
    const ModelRun run = run_batch(batch, layout);
    Builder b(mode);
    const BatchResult circuit_result = build_state_transition(b, run.trace);
    EXPECT_EQ(circuit_result.to_json(), run.result.to_json());
    if (mode == Mode::full) {
        EXPECT_FALSE(b.first_violation(b.values()));
    }
    const std::vector<Fr> publics = b.public_values();
    EXPECT_EQ(publics, (std::vector<Fr>{run.result.new_root, Fr::from_int(run.result.funding_pool_after),
                                        run.result.batch_commitment, run.result.old_root}));
    return run.result;
}

std::string model_error(const Batch& batch, const Layout& layout)
{
    try {
        run_batch(batch, layout, "batch.json");
    } catch (const circuit::InputError& e) {
        return e.what();
    }
    return "";
}

// The circuit on a batch the model was told not to check: the violation it reports ("" if none).
std::string circuit_error(const Batch& batch, const Layout& layout)
{
    const ModelRun run = run_batch(batch, layout, "batch.json", Rules::skip);
    Builder b(Mode::witness_only);
    try {
        build_state_transition(b, run.trace);
    } catch (const ConstraintViolation& e) {
        return e.what();
    }
    return "";
}

// The accounts after a batch, from the model's trace.
std::map<uint64_t, Account> final_accounts(const Batch& batch, const ModelRun& run)
{
    std::map<uint64_t, Account> out = batch.accounts;
    for (const auto* slots : {&run.trace.singles, &run.trace.doubles})
        for (const SlotTrace& s : *slots)
            if (s.op.type != OpType::none)
                for (const Touch& t : s.touches)
                    out[t.index] = t.after;
    return out;
}

}  // namespace

TEST(StateTransition, ExampleBatchAgreesWithModel)
{
    const Layout layout{8, 3, 2};
    const Batch batch = example_batch(layout);
    const BatchResult r = check_agreement(batch, layout);
    ASSERT_EQ(r.operations.size(), 5u);
    EXPECT_EQ(r.operations[4].type, OpType::liquidation);
    EXPECT_NE(r.new_root, r.old_root);
    check_agreement(batch, layout, Mode::witness_only);
    // The smallest tree (4 leaves, no room for the liquidation's accounts) and a padded batch.
    check_agreement(example_batch(Layout{2, 2, 1}), Layout{2, 2, 1});
    Batch partial = example_batch(Layout{4, 1, 1});
    check_agreement(partial, Layout{4, 3, 2});
    partial.operations.clear();
    const BatchResult empty = check_agreement(partial, Layout{4, 1, 1});
    EXPECT_EQ(empty.new_root, empty.old_root);  // padding leaves the root unchanged
}

TEST(StateTransition, RandomBatchesAgreeWithModel)
{
    // Random accounts (some under margin), random candidate operations; the model keeps the valid
    // ones. Some rejected candidates go to the circuit with the model's rules off: it must refuse
    // them on its own.
    const Layout layout{6, 3, 3};
    size_t accepted = 0, refused_by_circuit = 0;
    std::array<size_t, 6> kinds{};
    for (uint64_t seed = 1; seed <= 3; ++seed) {
        std::mt19937_64 rng(seed);
        auto pick = [&](int64_t lo, int64_t hi) { return lo + int64_t(rng() % uint64_t(hi - lo + 1)); };
        const Market m{uint64_t(pick(500, 3000)), uint64_t(pick(200'000'000, 900'000'000)), pick(-100, 100) * one / 7};
        BatchBuilder current(layout, m, pick(-1000, 1000));
        for (uint64_t i = 1; i <= 6; ++i) {
            const int64_t position = pick(-300, 300);
            // Accounts 5 and 6 sit just around their margin; the others have room.
            const int64_t collateral = i >= 5 ? -position * int64_t(m.oracle_price) + pick(-2000, 500)
                                              : pick(-100'000, 3'000'000);
            current.account(i, collateral, position, m.funding_index - pick(-3 * one, 3 * one), uint64_t(pick(0, 5)));
        }
        Batch batch = current.batch();
        ModelRun run = run_batch(batch, layout);
        for (int attempt = 0; attempt < 40 && batch.operations.size() < 6; ++attempt) {
            const auto state = final_accounts(batch, run);
            const bool single = std::count_if(batch.operations.begin(), batch.operations.end(), [](const Operation& o) {
                                    return !is_two_account(o.type);
                                }) < 3;
            const uint64_t a = uint64_t(pick(1, 6)), c = uint64_t(pick(1, 6));
            BatchBuilder next = current;
            switch (single ? pick(0, 2) : pick(3, 5)) {
            case 0: next.deposit(uint64_t(pick(0, 63)), uint64_t(pick(0, 100'000))); break;
            case 1: next.withdrawal(a, uint64_t(pick(0, std::max<int64_t>(state.at(a).collateral, 0) + 5000))); break;
            case 2: next.funding(a); break;
            case 3:
            case 4: next.trade(a, c, uint64_t(pick(1, 400)), m.oracle_price + uint64_t(pick(-50, 50))); break;
            default: next.liquidation(a, c, state.count(c) ? state.at(c).position : 0);
            }
            const Batch candidate = next.batch();
            if (model_error(candidate, layout).empty()) {
                current = next;
                batch = candidate;
                run = run_batch(batch, layout);
                ++accepted;
            } else if (refused_by_circuit < 4 && circuit_error(candidate, Layout{layout}) != "") {
                ++refused_by_circuit;
            } else if (refused_by_circuit < 4) {
                // Rejected by the model only for a limit of its representation, never by a rule.
                const std::string e = model_error(candidate, layout);
                EXPECT_TRUE(e.find("leave [-2^63") != std::string::npos) << e;
            }
        }
        const BatchResult r = check_agreement(batch, layout);
        EXPECT_EQ(r.operations.size(), batch.operations.size());
        for (const Operation& op : batch.operations)
            ++kinds[size_t(op.type)];
    }
    EXPECT_GE(accepted, 12u);
    for (OpType t : {OpType::deposit, OpType::withdrawal, OpType::funding, OpType::trade, OpType::liquidation})
        EXPECT_GE(kinds[size_t(t)], 1u) << op_name(t);
    EXPECT_EQ(refused_by_circuit, 4u);
}

TEST(StateTransition, EdgeCases)
{
    const Layout layout{4, 4, 2};
    // Withdraw everything: collateral 0 is within the balance; one more is not.
    {
        BatchBuilder bb(layout, eighth);
        bb.account(1, 5'000, 0, 0).withdrawal(1, 5'000);
        EXPECT_EQ(check_agreement(bb.batch(), layout).operations[0].accounts[0].collateral, 0);
        BatchBuilder over(layout, eighth);
        over.account(1, 5'000, 0, 0).withdrawal(1, 5'001);
        EXPECT_NE(model_error(over.batch(), layout).find("exceeds account 1's balance"), std::string::npos);
        EXPECT_NE(circuit_error(over.batch(), layout).find("operations[0] (withdrawal): the withdrawal leaves account 1 "
                                                            "below its margin requirement or balance"),
                  std::string::npos);
    }
    // A trade that ends exactly at the margin: buying 8 at 1000 needs TV >= 8000 / 8 = 1000.
    // With risk factor 429496730 (0.1 + 0.4 / 2^32) the requirement 800.0000007 rounds up to 801.
    for (const auto& [rf, at_margin] : {std::pair<uint64_t, int64_t>{uint64_t(1) << 29, 1'000}, {429496730, 801}}) {
        const Market m{1000, rf, 0};
        BatchBuilder bb(layout, m);
        bb.account(1, at_margin, 0, 0).account(2, 1'000'000, 0, 0).trade(1, 2, 8, 1000);
        const BatchResult r = check_agreement(bb.batch(), layout);
        EXPECT_EQ(r.operations[0].accounts[0].collateral, at_margin - 8'000);
        BatchBuilder under(layout, m);
        under.account(1, at_margin - 1, 0, 0).account(2, 1'000'000, 0, 0).trade(1, 2, 8, 1000);
        EXPECT_NE(model_error(under.batch(), layout).find("below its margin requirement"), std::string::npos);
        EXPECT_NE(circuit_error(under.batch(), layout).find("the buyer, account 1 ends below its margin requirement"),
                  std::string::npos);
    }
    // A barely liquidatable account: TV = 999 < TR = 1000 (after funding); at 1000 it is not.
    {
        BatchBuilder bb(layout, eighth);
        bb.account(3, -7'001, 8, 0).account(4, 100'000, 0, 0).liquidation(4, 3, 8);
        const BatchResult r = check_agreement(bb.batch(), layout);
        EXPECT_EQ(r.operations[0].accounts[1].collateral, 999);
        EXPECT_EQ(r.operations[0].accounts[1].position, 0);
        EXPECT_EQ(r.operations[0].accounts[0].position, 8);
        BatchBuilder healthy(layout, eighth);
        healthy.account(3, -7'000, 8, 0).account(4, 100'000, 0, 0).liquidation(4, 3, 8);
        EXPECT_NE(model_error(healthy.batch(), layout).find("account 3 is not liquidatable"), std::string::npos);
        EXPECT_NE(circuit_error(healthy.batch(), layout)
                      .find("operations[0] (liquidation): the liquidated account, account 3 is not liquidatable"),
                  std::string::npos);
        // Funding owed tips it over: cached index 1/2^32 behind on 8 long pays ceil(8 / 2^32) = 1.
        BatchBuilder tipped(layout, eighth);
        tipped.account(3, -7'000, 8, -1).account(4, 100'000, 0, 0).liquidation(4, 3, 8);
        const BatchResult t = check_agreement(tipped.batch(), layout);
        EXPECT_EQ(t.operations[0].accounts[1].funding_paid, 1);
        EXPECT_EQ(t.operations[0].accounts[1].collateral, 999);
    }
    // Funding rounding: owed 1, -1, 3 * 2^32 and -(5 * 2^32 + 5) units of 2^-32 pay 1, 0, 3, -5.
    {
        BatchBuilder bb(layout, eighth, 10);
        bb.account(1, 100, 1, -1).account(2, 100, -1, -1).account(3, 100, 3, -one).account(4, 100, -5, -(one + 1));
        bb.funding(1).funding(2).funding(3).funding(4);
        const BatchResult r = check_agreement(bb.batch(), layout);
        const int64_t expected[] = {1, 0, 3, -5};
        for (size_t i = 0; i < 4; ++i) {
            EXPECT_EQ(r.operations[i].accounts[0].funding_paid, expected[i]);
            EXPECT_EQ(r.operations[i].accounts[0].collateral, 100 - expected[i]);
        }
        EXPECT_EQ(r.funding_pool_after, 10 - 1);
    }
}

TEST(StateTransition, RejectionsByModelAndCircuit)
{
    // Each broken rule: the model names the operation and the problem; with the model's rules
    // skipped, the circuit refuses the same batch on its own.
    const Layout layout{4, 2, 2};
    auto base = [&] {
        BatchBuilder bb(layout, eighth);
        bb.account(1, 5'000, 0, 0).account(2, 1'000'000, 0, 0).account(3, -7'000, 8, 0).account(4, 1'000'000, 0, 0);
        return bb;
    };
    struct Case {
        const char* name;
        std::function<Batch()> make;
        const char* model;
        const char* circuit;
    };
    const std::vector<Case> cases = {
        {"bad signature",
         [&] {
             auto bb = base();
             bb.funding(2).withdrawal(1, 10);
             bb.last().amount = 11;
             return bb.batch();
         },
         "field \"operations[1]\": the signature of account 1 does not verify",
         "operations[1] (withdrawal): the signature of account 1 does not verify"},
        {"replayed nonce",
         [&] {
             auto bb = base();
             bb.withdrawal(1, 10);
             Batch b = bb.batch();
             b.operations.push_back(b.operations.back());
             return b;
         },
         "field \"operations[1]\": nonce 0 is not account 1's next nonce 1 (replayed or out of order)",
         "operations[1] (withdrawal): the signature of account 1 does not verify"},
        {"withdrawal beyond balance", [&] { return base().withdrawal(1, 5'001).batch(); },
         "field \"operations[0]\": the withdrawal of 5001 exceeds account 1's balance",
         "operations[0] (withdrawal): the withdrawal leaves account 1 below its margin requirement or balance"},
        {"trade under margin (buyer)", [&] { return base().funding(1).trade(1, 2, 45, 1000).batch(); },
         "field \"operations[1]\": the trade leaves the buyer, account 1 below its margin requirement",
         "operations[1] (trade): the buyer, account 1 ends below its margin requirement"},
        {"trade under margin (seller)", [&] { return base().trade(2, 1, 45, 1000).batch(); },
         "field \"operations[0]\": the trade leaves the seller, account 1 below its margin requirement",
         "operations[0] (trade): the seller, account 1 ends below its margin requirement"},
        {"liquidation of a healthy account", [&] { return base().liquidation(4, 3, 8).batch(); },
         "field \"operations[0]\": account 3 is not liquidatable",
         "operations[0] (liquidation): the liquidated account, account 3 is not liquidatable"},
        {"liquidator under margin after",
         [&] {
             BatchBuilder bb(layout, eighth);
             bb.account(3, -7'001, 8, 0).account(4, 0, 0, 0).liquidation(4, 3, 8);
             return bb.batch();
         },
         "field \"operations[0]\": the liquidation leaves the liquidator, account 4 below its margin requirement",
         "operations[0] (liquidation): the liquidator, account 4 ends below its margin requirement"},
        {"wrong liquidated position",
         [&] {
             BatchBuilder bb(layout, eighth);
             bb.account(3, -7'001, 8, 0).account(4, 100'000, 0, 0).liquidation(4, 3, 7);
             return bb.batch();
         },
         "position 7 is not account 3's position 8",
         "operations[0] (liquidation): the position taken over is not the liquidated account, account 3's position"},
        {"wrong old root",
         [&] {
             Batch b = base().funding(2).batch();
             b.old_root += Fr::one();
             return b;
         },
         "field \"old_root\": does not match the root of the accounts",
         "operations[0] (funding): account 2's leaf and path do not lead to the current root"},
        {"deposit for another key",
         [&] {
             auto bb = base();
             bb.deposit(2, 10);
             bb.last().key_y += Fr::one();
             return bb.batch();
         },
         "field \"operations[0]\": the deposit's public key differs from account 2's",
         "operations[0] (deposit): the deposit's public key differs from account 2's"},
        {"withdrawal from a missing account", [&] { return base().withdrawal(9, 0).batch(); },
         "field \"operations[0]\": account 9 does not exist", "operations[0] (withdrawal): account 9 does not exist"},
        {"self-trade", [&] { return base().trade(2, 2, 1, 1000).batch(); },
         "the buyer and the seller are the same account", "operations[0] (trade): the two accounts are the same"},
    };
    for (const Case& c : cases) {
        const Batch batch = c.make();
        const std::string m = model_error(batch, layout), e = circuit_error(batch, layout);
        EXPECT_NE(m.find(c.model), std::string::npos) << c.name << ": model said \"" << m << "\"";
        EXPECT_NE(e.find(c.circuit), std::string::npos) << c.name << ": circuit said \"" << e << "\"";
    }
}

TEST(StateTransition, TamperedWitnessFails)
{
    // A deposit and a trade at 2 levels (16 leaves); every wire is bound: changing any one value
    // breaks a constraint. Every wire of the first 600 (setup, records, account states) and a
    // stride through the rest (paths, hashes, signatures).
    const Layout layout{4, 1, 1};
    BatchBuilder bb(layout, Market{1000, 429496730, one});
    bb.account(1, 50'000, 3, one / 3).account(2, 80'000, -2, one).deposit(1, 700).trade(2, 1, 5, 990);
    const ModelRun run = run_batch(bb.batch(), layout);
    Builder b;
    build_state_transition(b, run.trace);
    ASSERT_FALSE(b.first_violation(b.values()));
    const uint32_t n = uint32_t(b.wire_count());
    size_t tried = 0;
    for (uint32_t w = 1; w < n; w += w < 600 ? 1 : 53) {
        auto values = b.values();
        values[w] += Fr::one();
        EXPECT_TRUE(b.first_violation(values)) << "wire " << w << " of " << n;
        ++tried;
    }
    EXPECT_GT(tried, 800u);

    // A prover claiming another state before the operation does not reach the root.
    BatchTrace forged = run.trace;
    forged.singles[0].touches[0].before->collateral += 1'000'000;
    Builder c(Mode::witness_only);
    EXPECT_THROW(build_state_transition(c, forged), ConstraintViolation);
    // Nor does a path from another tree position.
    forged = run.trace;
    forged.doubles[0].touches[1].proof = forged.doubles[0].touches[0].proof;
    Builder d(Mode::witness_only);
    EXPECT_THROW(build_state_transition(d, forged), ConstraintViolation);
}

TEST(StateTransition, ConstraintsPerOperation)
{
    // Every slot of a kind costs the same whatever its operation: deposit = withdrawal = funding
    // = one single-account slot, trade = liquidation = one two-account slot. Per 4-ary level an
    // account update costs 606 (two Poseidon(4) paths sharing selectors); the rest is per slot.
    for (unsigned depth : {4u, 16u, 32u}) {
        const Layout layout{depth, 3, 2};
        const ModelRun run = run_batch(example_batch(layout), layout);
        Builder b(Mode::witness_only);
        CircuitCosts costs;
        build_state_transition(b, run.trace, &costs);
        const size_t levels = depth / 2;
        // The example's slots hold a deposit, a withdrawal and a funding, a trade and a liquidation.
        for (size_t k = 0; k < 3; ++k)
            EXPECT_EQ(costs.single_slots[k], 4777 + 606 * levels)
                << op_name(run.trace.singles[k].op.type) << " at depth " << depth;
        for (size_t k = 0; k < 2; ++k)
            EXPECT_EQ(costs.double_slots[k], 9286 + 2 * 606 * levels)
                << op_name(run.trace.doubles[k].op.type) << " at depth " << depth;
        EXPECT_EQ(run.trace.doubles[1].op.type, depth > 2 ? OpType::liquidation : OpType::trade);
        EXPECT_EQ(b.constraint_count(), costs.setup + 3 * costs.single_slots[0] + 2 * costs.double_slots[0] + costs.finish);
    }
    // Depth 32 (2^32 accounts, 16 levels): a deposit, withdrawal or funding takes 14,473
    // constraints, within the 20,000 target. A trade or liquidation (two account updates, two
    // signatures checked for a trade) takes 28,678, i.e. 14,339 per account touched: above the
    // target, but 38% below Hermez's 46,040 for a one-signature transfer at 32 levels.
    EXPECT_EQ(4777 + 606 * 16, 14'473);
    EXPECT_LE(4777 + 606 * 16, 20'000);
    EXPECT_EQ(9286 + 2 * 606 * 16, 28'678);
}

TEST(StateTransition, Program)
{
    const Program p = state_transition_program(4, 2, 2);
    EXPECT_EQ(p.name, "state-transition-d4-s2-t2");
    const circuit::Inputs in(p.example_input, "example.json");
    const nlohmann::json reference = p.reference(in);
    for (Mode mode : {Mode::full, Mode::witness_only}) {
        Builder b(mode);
        EXPECT_EQ(p.build(b, in), reference);
        EXPECT_EQ(b.public_names(),
                  (std::vector<std::string>{"new_root", "funding_pool_after", "batch_commitment", "old_root"}));
        // The signals fixed by the inputs alone are the circuit's.
        for (const auto& [index, value] : p.bound_public_signals(in))
            EXPECT_EQ(b.public_values().at(index), value) << index;
        if (mode == Mode::full) {
            EXPECT_FALSE(b.first_violation(b.values()));
        }
    }
    EXPECT_EQ(reference["operations"].size(), 4u);
    EXPECT_EQ(reference["operations"][3]["type"], "liquidation");
    // Bad inputs: the same error from build and reference, naming the field.
    nlohmann::json bad = p.example_input;
    bad["operations"][0]["amount"] = "-5";
    const circuit::Inputs bad_in(bad, "bad.json");
    Builder b;
    EXPECT_THROW(p.build(b, bad_in), circuit::InputError);
    try {
        p.reference(bad_in);
        ADD_FAILURE() << "no error";
    } catch (const circuit::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("bad.json: field \"operations[0].amount\""), std::string::npos) << e.what();
    }
    EXPECT_THROW(state_transition_program(5, 1, 1), std::invalid_argument);
    // The depth-32 example the registry uses.
    EXPECT_EQ(state_transition_program(32, 2, 2).name, "state-transition-d32-s2-t2");
}
