#include "finance/liquidation.hpp"

#include "circuit/commitment.hpp"
#include "circuit/fixed_point.hpp"
#include "circuit/gadgets.hpp"

#include <stdexcept>

namespace provernet::finance {

using circuit::Builder;
using circuit::Signal;
using math::Fr;
using nlohmann::json;

namespace {

constexpr size_t kWordsPerElement = 3;  // 64-bit words per committed field element

Fr pow2_fr(int k)
{
    Fr r = Fr::one();
    for (int i = 0; i < k; ++i)
        r += r;
    return r;
}

// Bound of |D| = |TR - 2^32 TV - 1| in bits, see the header.
int compare_bits(size_t assets) { return 161 + int(ceil_log2(assets)); }

std::string signed_decimal(const Fr& v) { return circuit::WideInt::from_fr(v).to_decimal(); }

}  // namespace

LiquidationCircuit liquidation_circuit(Builder& b, const LiquidationInputs& in)
{
    const size_t M = in.prices.size(), A = in.accounts.size();
    if (M == 0 || A == 0 || in.risk_factors.size() != M)
        throw std::invalid_argument("liquidation: needs at least one account and one asset");
    const Signal one = Builder::constant(1);
    const Fr two32 = pow2_fr(32), amount_offset = pow2_fr(liquidation_amount_bits - 1);

    // Market data, range-checked once and shared by every account.
    std::vector<Signal> price(M), risk(M);
    for (size_t j = 0; j < M; ++j) {
        price[j] = b.private_input("prices[" + std::to_string(j) + "]", int128_to_fr(in.prices[j]));
        circuit::to_bits(b, price[j], liquidation_price_bits);
        circuit::assert_nonzero(b, price[j]);
        risk[j] = b.private_input("risk_factors[" + std::to_string(j) + "]", int128_to_fr(in.risk_factors[j]));
        circuit::to_bits(b, risk[j], liquidation_risk_bits);
        circuit::assert_nonzero(b, risk[j]);
    }

    LiquidationCircuit out;
    const int n = compare_bits(M);
    std::vector<Signal> account_words;
    for (size_t a = 0; a < A; ++a) {
        const LiquidationAccount& acc = in.accounts[a];
        if (acc.balances.size() != M)
            throw std::invalid_argument("liquidation: an account's balances do not match the assets");
        const std::string at = "accounts[" + std::to_string(a) + "]";
        const Signal collateral = b.private_input(at + ".collateral", int128_to_fr(acc.collateral));
        circuit::to_bits(b, collateral + Builder::constant(amount_offset), liquidation_amount_bits);
        std::vector<Signal> amounts{collateral};
        Signal tv = collateral * two32, tr;
        for (size_t j = 0; j < M; ++j) {
            const Signal balance =
                b.private_input(at + ".balances[" + std::to_string(j) + "]", int128_to_fr(acc.balances[j]));
            amounts.push_back(balance);
            // The top bit of balance + 2^63 is [balance >= 0]: the range check gives the sign.
            const Signal nonnegative =
                circuit::to_bits(b, balance + Builder::constant(amount_offset), liquidation_amount_bits).back();
            // |price * balance| = price * |balance| = (price * balance) (2 s - 1), price > 0.
            const Signal value = b.mul(price[j], balance);
            tv += value;
            tr += b.mul(risk[j], b.mul(value, nonnegative * Fr::from_uint(2) - one));
        }
        // D >= 0 iff TV 2^32 < TR; |D| < 2^n, so D + 2^n has n + 1 bits and the top one is the flag.
        const Signal d = tr - tv * two32 - one;
        const Signal flag = circuit::to_bits(b, d + Builder::constant(pow2_fr(n)), unsigned(n) + 1).back();
        out.total_value.push_back(tv);
        out.total_risk.push_back(tr);
        out.liquidatable.push_back(flag);
        const auto words = pack_words(amounts, liquidation_amount_bits, int128(1) << 63, kWordsPerElement);
        account_words.insert(account_words.end(), words.begin(), words.end());
    }

    for (size_t start = 0; start < A; start += liquidation_flags_per_word) {
        Signal word;
        for (size_t i = start; i < A && i < start + liquidation_flags_per_word; ++i)
            word += out.liquidatable[i] * pow2_fr(int(i - start));
        out.flag_words.push_back(word);
    }
    for (const Signal& f : out.liquidatable)
        out.count += f;

    out.commitments_first_wire = b.wire_count();
    out.prices_commitment = circuit::poseidon_commitment(b, price);
    out.risk_factors_commitment = circuit::poseidon_commitment(b, risk);
    out.accounts_commitment = circuit::poseidon_commitment(b, account_words);
    auto output = [&](const std::string& name, const Signal& s) {
        b.public_output(name, s);
        out.output_wires.push_back(uint32_t(b.wire_count() - 1));
    };
    output("prices_commitment", out.prices_commitment);
    output("risk_factors_commitment", out.risk_factors_commitment);
    output("accounts_commitment", out.accounts_commitment);
    output("liquidatable_count", out.count);
    for (size_t k = 0; k < out.flag_words.size(); ++k)
        output("liquidatable_flags_" + std::to_string(k), out.flag_words[k]);
    return out;
}

size_t liquidation_constraint_count(size_t accounts, size_t assets)
{
    const size_t A = accounts, M = assets, L = ceil_log2(M);
    const size_t words = A * packed_count(M + 1, kWordsPerElement);
    return 98 * M + A * (226 + L + 67 * M) + 2 * commitment_constraints(M) + commitment_constraints(words) + 4 +
           packed_count(A, liquidation_flags_per_word);
}

std::vector<Fr> liquidation_account_words(const LiquidationInputs& in)
{
    std::vector<Fr> out;
    for (const LiquidationAccount& acc : in.accounts) {
        std::vector<int128> amounts{acc.collateral};
        amounts.insert(amounts.end(), acc.balances.begin(), acc.balances.end());
        const auto words = pack_words(amounts, liquidation_amount_bits, int128(1) << 63, kWordsPerElement);
        out.insert(out.end(), words.begin(), words.end());
    }
    return out;
}

nlohmann::json liquidation_example_input(size_t accounts, size_t assets)
{
    // Prices around 1..2000 units per resolution unit (raw = price 2^32), risk factors 2%..9.5%.
    json prices = json::array(), risks = json::array(), accs = json::array();
    for (size_t j = 0; j < assets; ++j) {
        prices.push_back(int128_to_string(int128(1 + (j * 733) % 2000) << 32));
        risks.push_back(std::to_string((uint64_t(20 + (j * 15) % 76) << 32) / 1000));
    }
    for (size_t a = 0; a < accounts; ++a) {
        json balances = json::array();
        for (size_t j = 0; j < assets; ++j) {
            const int64_t units = int64_t((a * 7 + j * 3) % 11) - 5;
            balances.push_back(std::to_string(units * int64_t(100 + 10 * a)));
        }
        // Collateral from deep in debt to comfortably covered, so both outcomes appear.
        const int64_t collateral = (int64_t(a % 4) - 1) * 60000 * int64_t(assets);
        accs.push_back({{"collateral", std::to_string(collateral)}, {"balances", balances}});
    }
    return {{"prices", prices}, {"risk_factors", risks}, {"accounts", accs}};
}

Program liquidation_program(size_t accounts, size_t assets)
{
    if (accounts == 0 || assets == 0)
        throw std::invalid_argument("liquidation: needs at least one account and one asset");
    Program p;
    p.name = "liquidation-" + std::to_string(accounts) + "x" + std::to_string(assets);
    p.description = "StarkEx-style liquidation check of " + std::to_string(accounts) + " accounts over " +
                    std::to_string(assets) + " assets: TV = collateral + sum price * balance < TR = sum risk * |price * balance|";
    p.build = [accounts, assets](Builder& b, const circuit::Inputs& in) {
        const LiquidationInputs inputs = read_liquidation_inputs(in, accounts, assets);
        const LiquidationCircuit c = liquidation_circuit(b, inputs);
        LiquidationResult r;
        for (size_t a = 0; a < accounts; ++a)
            r.accounts.push_back({signed_decimal(c.total_value[a].value()), signed_decimal(c.total_risk[a].value()),
                                  c.liquidatable[a].value() == Fr::one()});
        r.liquidatable_count = size_t(c.count.value().to_u256().limb[0]);
        for (const Signal& w : c.flag_words)
            r.flag_words.push_back(w.value().to_decimal());
        return r.to_json();
    };
    p.reference = [accounts, assets](const circuit::Inputs& in) {
        return liquidation_model(read_liquidation_inputs(in, accounts, assets)).to_json();
    };
    p.bound_public_signals = [accounts, assets](const circuit::Inputs& in) {
        const LiquidationInputs li = read_liquidation_inputs(in, accounts, assets);
        std::vector<Fr> prices, risks;
        for (size_t j = 0; j < li.prices.size(); ++j) {
            prices.push_back(int128_to_fr(li.prices[j]));
            risks.push_back(int128_to_fr(li.risk_factors[j]));
        }
        return std::vector<std::pair<size_t, Fr>>{{0, circuit::poseidon_commitment(prices)},
                                                  {1, circuit::poseidon_commitment(risks)},
                                                  {2, circuit::poseidon_commitment(liquidation_account_words(li))}};
    };
    p.example_input = liquidation_example_input(accounts, assets);
    p.public_signals =
        "prices_commitment, risk_factors_commitment, accounts_commitment (Poseidon commitments of the raw .32 prices, "
        "the raw .32 risk factors, and each account's collateral and balances as 64-bit words v + 2^63 packed 3 per "
        "element), liquidatable_count, liquidatable_flags_k (bit i = account 250 k + i): a contract recomputes the "
        "commitments from the data it holds and reads an account's flag as one bit";
    return p;
}

}  // namespace provernet::finance
