#include "market/amount.hpp"
#include "market/market_test_util.hpp"
#include "market/types.hpp"

#include <gtest/gtest.h>

namespace provernet::market {
namespace {

ErrorCode code_of(auto&& f) {
    try {
        f();
    } catch (const MarketError& e) {
        return e.code();
    }
    ADD_FAILURE() << "no MarketError";
    return ErrorCode::invalid_command;
}

TEST(MarketTypes, CheckedArithmeticRejectsOverflowAndUnderflow) {
    EXPECT_EQ(checked_add(UINT64_MAX - 1, 1, "x"), UINT64_MAX);
    EXPECT_EQ(code_of([] { checked_add(UINT64_MAX, 1, "x"); }), ErrorCode::overflow);
    EXPECT_EQ(checked_sub(5, 5, "x"), 0u);
    EXPECT_EQ(code_of([] { checked_sub(4, 5, "x"); }), ErrorCode::overflow);
    // The 128-bit intermediate: (2^64-1) * (2^64-1) / (2^64-1) fits.
    EXPECT_EQ(mul_div_floor(UINT64_MAX, UINT64_MAX, UINT64_MAX, "x"), UINT64_MAX);
    EXPECT_EQ(code_of([] { mul_div_floor(UINT64_MAX, 2, 1, "x"); }), ErrorCode::overflow);
    EXPECT_EQ(mul_div_floor(7, 3, 2, "x"), 10u);  // floor(10.5)
    EXPECT_EQ(bps_of(999, 5'000, "x"), 499u);     // floor: the burn rounds down
    EXPECT_EQ(bps_of(UINT64_MAX, 10'000, "x"), UINT64_MAX);
}

TEST(MarketTypes, PriceCurveIsFlatRampFlat) {
    RequestSpec s = test::test_spec();  // 100 -> 200 over [1000, 2000]
    EXPECT_EQ(price_at(s, 0), 100u);
    EXPECT_EQ(price_at(s, 1'000), 100u);
    EXPECT_EQ(price_at(s, 1'001), 100u);  // 100 + floor(100 * 1 / 1000)
    EXPECT_EQ(price_at(s, 1'010), 101u);
    EXPECT_EQ(price_at(s, 1'500), 150u);
    EXPECT_EQ(price_at(s, 1'999), 199u);
    EXPECT_EQ(price_at(s, 2'000), 200u);
    EXPECT_EQ(price_at(s, 9'999'999), 200u);
}

TEST(MarketTypes, PriceCurveIsMonotoneAndBounded) {
    RequestSpec s = test::test_spec();
    s.min_price = 3;
    s.max_price = UINT64_MAX;  // the 128-bit intermediate keeps this exact
    s.ramp_start = 10;
    s.ramp_period = 997;
    uint64_t previous = 0;
    for (uint64_t t = 0; t < 1'100; ++t) {
        uint64_t p = price_at(s, t);
        EXPECT_GE(p, previous);
        EXPECT_GE(p, s.min_price);
        EXPECT_LE(p, s.max_price);
        previous = p;
    }
    EXPECT_EQ(previous, UINT64_MAX);
}

TEST(MarketTypes, ZeroRampJumpsToMaxAfterStart) {
    RequestSpec s = test::test_spec();
    s.ramp_period = 0;
    EXPECT_EQ(price_at(s, 1'000), 100u);
    EXPECT_EQ(price_at(s, 1'001), 200u);
    s.min_price = s.max_price = 150;
    EXPECT_EQ(price_at(s, 0), 150u);
    EXPECT_EQ(price_at(s, 5'000), 150u);
}

TEST(MarketTypes, AddressesAreNormalizedToLowercase) {
    EXPECT_EQ(normalize_address("0xABCDEF0123456789abcdef0123456789ABCDEF01"),
              "0xabcdef0123456789abcdef0123456789abcdef01");
    EXPECT_FALSE(normalize_address("0xabc"));
    EXPECT_FALSE(normalize_address("abcdef0123456789abcdef0123456789abcdef0123"));
    EXPECT_FALSE(normalize_address("0xgbcdef0123456789abcdef0123456789abcdef01"));
    EXPECT_FALSE(normalize_address("0Xabcdef0123456789abcdef0123456789abcdef01"));
    try {
        parse_address("nope", "lock: prover");
        FAIL();
    } catch (const MarketError& e) {
        EXPECT_EQ(e.code(), ErrorCode::invalid_address);
        EXPECT_NE(std::string(e.what()).find("lock: prover"), std::string::npos);
    }
}

TEST(MarketTypes, CircuitIdsAreHex) {
    EXPECT_EQ(normalize_circuit_id("0xABcd"), "abcd");
    EXPECT_EQ(normalize_circuit_id("abcd"), "abcd");
    EXPECT_FALSE(normalize_circuit_id(""));
    EXPECT_FALSE(normalize_circuit_id("0x"));
    EXPECT_FALSE(normalize_circuit_id("xyz"));
    EXPECT_FALSE(normalize_circuit_id(std::string(129, 'a')));
}

TEST(MarketTypes, ConfigValidationNamesTheField) {
    auto rejects = [](auto mutate, const std::string& field) {
        Config c = test::test_config();
        mutate(c);
        try {
            validated(c);
            ADD_FAILURE() << field << " accepted";
        } catch (const MarketError& e) {
            EXPECT_EQ(e.code(), ErrorCode::invalid_config);
            EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
        }
    };
    rejects([](Config& c) { c.fee_account = "0x12"; }, "fee_account");
    rejects([](Config& c) { c.fee_bps = 10'001; }, "fee_bps");
    rejects([](Config& c) { c.slash_burn_bps = 20'000; }, "slash_burn_bps");
    rejects([](Config& c) { c.max_pending_unstakes = 0; }, "max_pending_unstakes");
    rejects([](Config& c) { c.max_capacity = 0; }, "max_capacity");
    rejects([](Config& c) { c.max_request_lifetime_ms = 0; }, "max_request_lifetime_ms");
    rejects([](Config& c) { c.reserve_bps[0] = 1; }, "reserve_bps.liquidation");
    rejects([](Config& c) { c.reserve_bps[3] = 10'001; }, "reserve_bps.batch");
    EXPECT_THROW(Market(Config{.fee_bps = 10'001}), MarketError);
}

TEST(MarketTypes, ConfigJsonRoundTrip) {
    Config c = test::test_config();
    c.fee_account = "0x00000000000000000000000000000000000000FE";  // normalized on read
    Config back = config_from_json(to_json(validated(c)));
    EXPECT_EQ(back, validated(c));
    nlohmann::json j = to_json(back);
    j["surprise"] = 1;
    EXPECT_THROW(config_from_json(j), MarketError);
}

TEST(MarketTypes, ErrorCodesHaveStableNames) {
    for (ErrorCode c : {ErrorCode::invalid_command, ErrorCode::class_limit_reached, ErrorCode::insufficient_stake})
        EXPECT_EQ(error_code_from_string(to_string(c)), c);
    EXPECT_EQ(to_string(ErrorCode::not_lock_holder), "not_lock_holder");
    EXPECT_THROW(error_code_from_string("nope"), MarketError);
}

}  // namespace
}  // namespace provernet::market
