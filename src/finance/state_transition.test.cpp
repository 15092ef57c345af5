// The account state transition circuit against its model: random batches, edge cases, rejections
// by the model and by the circuit on its own, tampered witnesses, constraint counts per slot.
#include "finance/state_transition.hpp"

#include "circuit/eddsa.hpp"
#include "circuit/poseidon.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

using namespace provernet;
using namespace provernet::finance;
using namespace provernet::finance::state;
using circuit::Builder;
using circuit::ConstraintViolation;
using circuit::Mode;
using math::Fr;

namespace {

// Model and circuit on one batch: the circuit's result (from its witness) equals the model's and
// the witness satisfies every constraint.
BatchResult check_agreement(const Batch& batch, const Layout& layout, Mode mode = Mode::full)
{
    const ModelRun run = run_batch(batch, layout);
    Builder b(mode);
    const BatchResult circuit_result = build_state_transition(b, run.trace);
    EXPECT_EQ(circuit_result.to_json(), run.result.to_json());
    if (mode == Mode::full) {
        EXPECT_FALSE(b.first_violation(b.values()));
    }
    EXPECT_EQ(b.public_values().size(), 3u);
    return run.result;
}

}  // namespace

TEST(StateTransition, ExampleBatchAgreesWithModel)
{
    const Layout layout{8, 3, 2};
    const Batch batch = example_batch(layout);
    const auto t0 = std::chrono::steady_clock::now();
    const BatchResult r = check_agreement(batch, layout);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("d8-s3-t2 full build %.0f ms\n", ms);
    ASSERT_EQ(r.operations.size(), 5u);
    EXPECT_NE(r.new_root, r.old_root);
}

TEST(StateTransition, CostsAtDepth32)
{
    for (unsigned depth : {16u, 32u}) {
        const Layout layout{depth, 2, 2};
        const ModelRun run = run_batch(example_batch(layout), layout);
        Builder b(Mode::witness_only);
        CircuitCosts c;
        build_state_transition(b, run.trace, &c);
        std::printf("depth %u: setup %zu single %zu double %zu finish %zu total %zu\n", depth, c.setup,
                    c.single_slots[0], c.double_slots[0], c.finish, b.constraint_count());
    }
}
