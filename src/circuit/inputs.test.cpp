#include "circuit/inputs.hpp"

#include <gtest/gtest.h>

using namespace provernet::circuit;
using provernet::math::Fr;

namespace {
std::string error_of(const std::function<void()>& f)
{
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(Inputs, ParsesAndNamesBadFields)
{
    const Inputs in(nlohmann::json::parse(R"({"a": "123", "b": 7, "c": "-1", "d": "12x", "e": [1, "2"],
        "big": "21888242871839275222246405745257275088548364400416034343698204186575808495617", "f": 1.5,
        "s": "0.25"})"),
                    "input.json");
    EXPECT_EQ(in.field("a"), Fr::from_uint(123));
    EXPECT_EQ(in.field("b"), Fr::from_uint(7));
    EXPECT_EQ(in.field("c"), -Fr::one());
    EXPECT_EQ(in.field_array("e", 2), (std::vector<Fr>{Fr::from_uint(1), Fr::from_uint(2)}));
    EXPECT_DOUBLE_EQ(in.number("s", 0, 1), 0.25);
    EXPECT_EQ(error_of([&] { in.field("missing"); }), "input.json: field \"missing\": missing");
    EXPECT_NE(error_of([&] { in.field("d"); }).find("field \"d\": \"12x\" is not an integer"), std::string::npos);
    EXPECT_NE(error_of([&] { in.field("big"); }).find("not below the field modulus"), std::string::npos);
    EXPECT_NE(error_of([&] { in.field("f"); }).find("field \"f\""), std::string::npos);
    EXPECT_NE(error_of([&] { in.uint("a", 6); }).find("does not fit in 6 bits"), std::string::npos);
    EXPECT_NE(error_of([&] { in.uint("c", 64); }).find("must not be negative"), std::string::npos);
    EXPECT_NE(error_of([&] { in.field_array("e", 3); }).find("expected 3 elements"), std::string::npos);
    EXPECT_NE(error_of([&] { in.number("s", 0.5, 1); }).find("outside the domain"), std::string::npos);
}

TEST(Inputs, RejectsNonObjects) { EXPECT_THROW(Inputs(nlohmann::json::array(), "x.json"), InputError); }
