#include "circuit/registry.hpp"

#include <gtest/gtest.h>

using namespace provernet::circuit;

TEST(Registry, ExampleCircuitsBuildAndAreSatisfied)
{
    CircuitRegistry reg;
    register_example_circuits(reg);
    ASSERT_NE(reg.find("poseidon-preimage"), nullptr);
    for (const CircuitSpec& spec : reg.all()) {
        const Builder full = build_constraint_system(spec);
        EXPECT_FALSE(full.first_violation(full.values())) << spec.name;
        // The fast witness path gives the same witness.
        const Builder fast = build_circuit(spec, Inputs(spec.example_input, "example"), Mode::witness_only);
        EXPECT_EQ(full.witness_file().values, fast.witness_file().values) << spec.name;
        EXPECT_EQ(structure_hash(full).size(), 64u);
    }
}

TEST(Registry, ConstraintCountsAreStable)
{
    CircuitRegistry reg;
    register_example_circuits(reg);
    // Poseidon(2) plus the output; Merkle depth 20 membership (242 per level + root check).
    EXPECT_EQ(build_constraint_system(*reg.find("poseidon-preimage")).constraint_count(), 241u);
    EXPECT_EQ(build_constraint_system(*reg.find("merkle-membership-20")).constraint_count(), 242u * 20 + 1);
}

TEST(Registry, StructureHashIgnoresValuesButNotStructure)
{
    CircuitRegistry reg;
    register_example_circuits(reg);
    const CircuitSpec& spec = *reg.find("poseidon-preimage");
    const Builder a = build_circuit(spec, Inputs(nlohmann::json{{"preimage", {"5", "6"}}}, "a"), Mode::full);
    const Builder b = build_constraint_system(spec);
    EXPECT_EQ(structure_hash(a), structure_hash(b));
    EXPECT_NE(structure_hash(a), structure_hash(build_constraint_system(*reg.find("merkle-membership-20"))));
}

TEST(Registry, BadInputNamesTheField)
{
    CircuitRegistry reg;
    register_example_circuits(reg);
    const CircuitSpec& spec = *reg.find("merkle-membership-20");
    nlohmann::json bad = spec.example_input;
    bad["leaf"] = "43";
    try {
        build_circuit(spec, Inputs(bad, "in.json"), Mode::witness_only);
        FAIL() << "accepted a wrong leaf";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("field \"root\""), std::string::npos) << e.what();
    }
    bad = spec.example_input;
    bad.erase("siblings");
    EXPECT_THROW(build_circuit(spec, Inputs(bad, "in.json"), Mode::witness_only), InputError);
}
