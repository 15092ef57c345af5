// The settlement interface: where the money the market moves really lives. The coordinator
// drives the market (market/market.hpp) and, for every committed command, hands the command's
// events to its Settlement inside the same database transaction; external deposits come in
// through poll_deposits(). Two implementations, both keeping ledger lines (LedgerSettlement):
//   - EmbeddedSettlement (embedded_settlement.hpp): the ledger is a table of the coordinator's
//     own database (test balances credited by an operator command);
//   - EvmSettlement (evm_settlement.hpp): the money is in the market contract; the actors
//     transact with it, the coordinator indexes its logs into the market
//     (coordinator/service_chain.cpp) and keeps the same ledger lines as a mirror.
//
// This layer does not depend on the coordinator: the embedded ledger writes through the
// LedgerStore interface, which the coordinator implements over its SQLite connection.
#pragma once

#include "market/commands.hpp"
#include "market/events.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace provernet::settlement {

// One line of the settlement ledger: a movement of `amount` base units caused by command `seq`.
// Kinds: deposit, withdrawal, escrow, refund, collateral_lock, collateral_return, payment (the
// prover's price net of the fee), fee, bounty (a slashed share paid to a fulfiller or requester),
// slash_burn, fine.
struct LedgerEntry {
    uint64_t seq = 0;         // the command log sequence number that caused it
    uint64_t time_ms = 0;
    std::string kind;
    uint64_t request_id = 0;  // 0 when no request is involved
    std::string account;      // lowercase address ("" for burns)
    uint64_t amount = 0;
    bool operator==(const LedgerEntry&) const = default;
};

// Totals of one account over the ledger.
struct LedgerTotals {
    uint64_t deposited = 0;
    uint64_t withdrawn = 0;
    uint64_t earned = 0;   // payments + bounties received
    uint64_t fees = 0;     // fees received (the fee account)
    uint64_t slashed = 0;  // collateral slashed + fines
    uint64_t refunded = 0;
    bool operator==(const LedgerTotals&) const = default;
};

// Where a ledger is kept; writes happen inside the caller's open transaction.
class LedgerStore {
public:
    virtual ~LedgerStore() = default;
    virtual void append(const LedgerEntry& entry) = 0;
    virtual LedgerTotals totals(std::string_view account) = 0;
    // Sum of payment + fee entries for a request: what its fulfiller was paid, fee included.
    virtual uint64_t paid_for_request(uint64_t request_id) = 0;
    // The requester of a request (for refunds on fulfilment, whose event does not name it).
    virtual std::string requester_of(uint64_t request_id) = 0;
};

class Settlement {
public:
    virtual ~Settlement() = default;
    // "embedded" or "evm" (GET /v1/info).
    virtual std::string_view kind() const = 0;
    // Whether the operator key may sign deposit actions (embedded: test balances). Under EVM
    // settlement deposits come only from poll_deposits().
    virtual bool operator_deposits() const = 0;
    // The events of command `seq`, accepted at time_ms. Called inside the coordinator's database
    // transaction for that command: if it throws, the command is not committed.
    virtual void settle(uint64_t seq, uint64_t time_ms, std::span<const market::Event> events) = 0;
    // Deposits observed outside since the last call, as market commands to apply (embedded:
    // none).
    virtual std::vector<market::Command> poll_deposits() = 0;
    // The account's totals as settlement sees them.
    virtual LedgerTotals totals(std::string_view account) = 0;
};

}  // namespace provernet::settlement
