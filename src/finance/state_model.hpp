// The account state transition's plain C++ reference model: accounts in a 4-ary Poseidon tree, a
// batch of operations applied under StarkEx-Perpetual-style rules (reference 3.1), and the trace
// (states before each update, Merkle paths) the circuit is built from. Exact integers; no circuit
// code (it uses only the native Poseidon, Merkle-tree and EdDSA functions).
//
// One perpetual market. Units are integers in the resolutions of the exchange:
//   collateral, position    signed, [-2^63, 2^63): quote units and synthetic (base) units
//   oracle and trade price  [0, 2^64): quote units per synthetic unit (so collateral moves by
//                           exactly price * amount)
//   risk factor             [0, 2^32): 0.32 fixed point
//   funding index           signed, [-2^63, 2^63): 0.32-fixed-point quote units per synthetic unit,
//                           cumulative (longs pay when it rises)
//   amounts                 deposits, withdrawals: [0, 2^63); trades: [1, 2^63)
//   nonce                   [0, 2^64); recipient (an L1 address) [0, 2^160)
//   funding pool            signed, [-2^63, 2^63)
//
// Leaf of account i: Poseidon(key_x, key_y, nonce, collateral, position, funding_index) with
// negative values as r - |x|; an account that was never created is the empty leaf 0. The tree has
// capacity 2^depth (depth even, 2..32: depth / 2 levels of the 4-ary tree).
//
// Rules, per account an operation touches, in order:
//   funding     collateral -= ceil((F - cached) * position / 2^32) (the "funding paid", into the
//               pool; rounded so funding never mints collateral: StarkEx's rounding down of what an
//               account receives), then cached = F
//   margin      TV = collateral + position * oracle_price,
//               TR = ceil(risk_factor * |position * oracle_price| / 2^32); healthy iff TV >= TR
//   deposit     (unsigned: authorised by the on-chain deposit) creates the account with the
//               deposit's key when the leaf is empty, else the key must be the account's;
//               collateral += amount
//   withdrawal  (owner signs) collateral -= amount; healthy after (with no position: collateral
//               >= 0, i.e. within the balance)
//   funding     just the funding step above (anyone may apply it)
//   trade       buyer != seller, both sign their order; buyer: position += amount, collateral -=
//               amount * price; seller the opposite; both healthy after (TV >= TR; StarkEx's
//               "healthier" exception is not offered: an unhealthy account leaves by liquidation)
//   liquidation the liquidator signs; the liquidated account must be unhealthy (TV < TR, after
//               funding); the liquidator takes over its whole position at the oracle price
//               (the liquidated account keeps TV, with no position) and must be healthy after
//   signed operations need the account's current nonce and increment it (replay protection)
// Conservation: the collateral of the touched accounts changes by deposits - withdrawals - the
// funding paid into the pool, which the pool receives: sum(collateral) + pool changes only by
// deposits - withdrawals.
//
// (The rules are in state_model.cpp; the JSON form and BatchBuilder in state_inputs.cpp.)
//
// A batch applies its single-account operations (deposit, withdrawal, funding) first, in order,
// then its two-account operations (trade, liquidation), in order: the circuit's slots are typed so
// that a cheap operation does not pay for the most expensive one. Unused slots are no-ops.
#pragma once

#include "circuit/eddsa.hpp"
#include "circuit/inputs.hpp"
#include "circuit/merkle4.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace provernet::finance::state {

using math::Fr;
using int128 = __int128;

inline constexpr unsigned fraction_bits = 32;     // funding index and risk factor: 0.32 fixed point
inline constexpr unsigned signed_value_bits = 64;  // collateral, position, funding index, pool
inline constexpr unsigned price_bits = 64;
inline constexpr unsigned risk_factor_bits = 32;
inline constexpr unsigned amount_bits = 63;
inline constexpr unsigned nonce_bits = 64;
inline constexpr unsigned recipient_bits = 160;

// The circuit's shape: tree depth (log2 of the capacity) and slots of each kind.
struct Layout {
    unsigned depth = 0;        // even, 2..32
    size_t single_slots = 0;   // deposit, withdrawal, funding
    size_t double_slots = 0;   // trade, liquidation
    unsigned levels() const { return depth / 2; }
    uint64_t capacity() const { return uint64_t(1) << depth; }
    std::string name() const;  // "state-transition-d<depth>-s<singles>-t<doubles>"
    void check() const;        // std::invalid_argument unless depth is even in 2..32 and slots >= 1
};

struct Market {
    uint64_t oracle_price = 0;
    uint64_t risk_factor = 0;  // < 2^32
    int64_t funding_index = 0;
};

struct Account {
    Fr key_x, key_y;
    uint64_t nonce = 0;
    int64_t collateral = 0, position = 0, funding_index = 0;
    friend bool operator==(const Account&, const Account&) = default;
};

Fr account_leaf(const Account& a);

// Codes as committed; the signed messages use the same codes as domain tags.
enum class OpType : uint8_t { none = 0, deposit = 1, withdrawal = 2, funding = 3, trade = 4, liquidation = 5 };
const char* op_name(OpType t);
bool is_two_account(OpType t);

struct Operation {
    OpType type = OpType::none;
    uint64_t account = 0;       // deposit/withdrawal/funding: the account; trade: buyer; liquidation: liquidator
    uint64_t counterparty = 0;  // trade: seller; liquidation: the liquidated account
    uint64_t amount = 0;        // deposit, withdrawal, trade
    int64_t position = 0;       // liquidation: the position taken over (the liquidated account's)
    uint64_t price = 0;         // trade
    Fr key_x, key_y;            // deposit: the key the deposit is for
    Fr recipient;               // withdrawal: where the contract pays
    uint64_t nonce = 0;         // signed operations: the signer's nonce (trade: the buyer's)
    uint64_t counterparty_nonce = 0;  // trade: the seller's
    circuit::EddsaSignature signature;               // withdrawal: owner; trade: buyer; liquidation: liquidator
    circuit::EddsaSignature counterparty_signature;  // trade: seller
};

// Messages the owners sign (Poseidon; tags are the operation codes):
//   withdrawal: Poseidon(2, account, amount, recipient, nonce)
//   order:      Poseidon(tag, signer, counterparty, amount, price, nonce), with
//               trade buyer (4, buyer, 0, amount, price, nonce), seller (4, seller, 0, -amount,
//               price, nonce); liquidation (5, liquidator, liquidated, position, oracle_price, nonce)
Fr withdrawal_message(uint64_t account, uint64_t amount, const Fr& recipient, uint64_t nonce);
Fr trade_message(uint64_t signer, int64_t signed_amount, uint64_t price, uint64_t nonce);
Fr liquidation_message(uint64_t liquidator, uint64_t liquidated, int64_t position, uint64_t oracle_price,
                       uint64_t nonce);

// Signs an operation's message with the signer's secret key: sign() for the account / buyer /
// liquidator (op.nonce must be set; a liquidation signs the oracle price it is made at),
// sign_counterparty() for a trade's seller (op.counterparty_nonce must be set).
void sign(Operation& op, const circuit::EddsaSecretKey& key, uint64_t oracle_price = 0);
void sign_counterparty(Operation& op, const circuit::EddsaSecretKey& key);

// The batch's inputs (see state_transition.hpp for the JSON form).
struct Batch {
    Fr old_root;
    Market market;
    int64_t funding_pool = 0;
    std::map<uint64_t, Account> accounts;  // the state before: every non-empty leaf
    std::vector<Operation> operations;
};

// Reads a batch from JSON for the layout (errors name the field, e.g. operations[2].amount).
Batch read_batch(const circuit::Inputs& in, const Layout& layout);
// The JSON form read_batch reads.
nlohmann::json batch_to_json(const Batch& batch);

// Deterministic keys for examples and tests, derived from the account number: not secret.
circuit::EddsaSecretKey example_key(uint64_t account);

// Builds batches of correctly signed operations (keys from example_key), tracking nonces; for
// examples, tests and benchmarks. batch() computes old_root from the accounts.
class BatchBuilder {
public:
    BatchBuilder(const Layout& layout, const Market& market, int64_t funding_pool = 0);
    BatchBuilder& account(uint64_t index, int64_t collateral, int64_t position, int64_t funding_index,
                          uint64_t nonce = 0);
    BatchBuilder& deposit(uint64_t account, uint64_t amount);  // for example_key(account)'s public key
    BatchBuilder& withdrawal(uint64_t account, uint64_t amount, const Fr& recipient = Fr::from_uint(0xdeadbeef));
    BatchBuilder& funding(uint64_t account);
    BatchBuilder& trade(uint64_t buyer, uint64_t seller, uint64_t amount, uint64_t price);
    BatchBuilder& liquidation(uint64_t liquidator, uint64_t account, int64_t position);
    Operation& last();  // the last operation, for tests that spoil it
    uint64_t nonce(uint64_t account) const;  // the next nonce the builder will sign with
    Batch batch() const;

private:
    Layout layout_;
    Batch batch_;
    std::map<uint64_t, uint64_t> nonces_;
};

class AccountTree {
public:
    explicit AccountTree(unsigned depth);
    const Account* find(uint64_t index) const;
    void set(uint64_t index, const Account& a);
    Fr root() const { return tree_.root(); }
    circuit::Merkle4Proof proof(uint64_t index) const { return tree_.proof(index); }

private:
    circuit::Merkle4Tree tree_;
    std::map<uint64_t, Account> accounts_;
};

// Margin (see the rules above).
int128 total_value(const Account& a, const Market& m);
int128 margin_requirement(const Account& a, const Market& m);
bool is_healthy(const Account& a, const Market& m);
// ceil((F - cached) * position / 2^32): what settling funding takes from the account.
int128 funding_due(const Account& a, const Market& m);

// One account update, in the order the circuit makes them.
struct Touch {
    uint64_t index = 0;
    std::optional<Account> before;  // nullopt: the leaf was empty
    Account after;
    circuit::Merkle4Proof proof;    // in the tree just before this update
    int128 funding_paid = 0;
};

struct SlotTrace {
    Operation op;                // type none: padding (a no-op on account 0)
    std::vector<Touch> touches;  // single slots 1; double slots 2 (buyer/liquidator first)
};

struct BatchTrace {
    Layout layout;
    Market market;
    Fr old_root;
    int64_t funding_pool = 0;
    std::vector<SlotTrace> singles, doubles;
};

struct AccountResult {
    uint64_t account = 0;
    uint64_t nonce = 0;
    int64_t collateral = 0, position = 0;
    int128 funding_paid = 0;
};

struct OperationResult {
    OpType type = OpType::none;
    std::vector<AccountResult> accounts;  // states after the operation
};

// The readable result; the circuit's is read from its witness, in the same shape.
struct BatchResult {
    Fr old_root, new_root, batch_commitment;
    int64_t funding_pool_before = 0, funding_pool_after = 0;
    int128 total_deposits = 0, total_withdrawals = 0;
    std::vector<OperationResult> operations;  // the batch's operations, without padding
    nlohmann::json to_json() const;
};

// Whether run_batch enforces the rules: tests turn them off to hand the circuit an invalid batch
// and watch the circuit refuse it on its own.
enum class Rules { enforce, skip };

struct ModelRun {
    BatchTrace trace;
    BatchResult result;
};

// Applies the batch. A rule broken throws circuit::InputError naming the operation and the
// problem ("<source>: field \"operations[3]\": withdrawal of 500 exceeds account 7's balance 20").
ModelRun run_batch(const Batch& batch, const Layout& layout, const std::string& source = "inputs",
                   Rules rules = Rules::enforce);

// The values the batch commitment covers, all fixed by the batch's inputs (results such as the
// new root and the pool after are public signals of their own), in order: a header (oracle_price,
// risk_factor, funding_index, funding_pool before), then 5 per single slot (type, account, amount,
// deposit key_x or withdrawal recipient, deposit key_y) and 5 per double slot (type, account,
// counterparty, amount (a liquidation's signed position), price (the oracle price for a
// liquidation)); padding slots are zeros. Signed values as r - |x|. Checks that the operations
// fit the layout (errors as run_batch's).
std::vector<Fr> commitment_values(const Batch& batch, const Layout& layout, const std::string& source = "inputs");

}  // namespace provernet::finance::state
