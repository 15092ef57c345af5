// Embedded settlement: the ledger of deposits, escrows, payments, fees, slashes and refunds is
// kept in the coordinator's own database (through a LedgerStore), written in the same
// transaction as the command that caused it, so it can never disagree with the command log.
// Deposits are operator-signed actions (test balances), so poll_deposits() has nothing to add.
#pragma once

#include "settlement/settlement.hpp"

#include <string>
#include <utility>

namespace provernet::settlement {

// The ledger lines one event produces (pure: exposed for tests). `fee_account` receives fees;
// `requester` is the request's requester (fulfilment refunds), "" when not needed.
std::vector<LedgerEntry> ledger_entries(uint64_t seq, uint64_t time_ms, const market::Event& event,
                                        const std::string& fee_account, const std::string& requester);

// A settlement that keeps the ledger lines of the market's events in a LedgerStore (both the
// embedded ledger and the EVM mirror, evm_settlement.hpp).
class LedgerSettlement : public Settlement {
public:
    LedgerSettlement(LedgerStore& store, std::string fee_account)
        : store_(store), fee_account_(std::move(fee_account)) {}
    void settle(uint64_t seq, uint64_t time_ms, std::span<const market::Event> events) override;
    LedgerTotals totals(std::string_view account) override { return store_.totals(account); }

private:
    LedgerStore& store_;
    std::string fee_account_;
};

class EmbeddedSettlement final : public LedgerSettlement {
public:
    using LedgerSettlement::LedgerSettlement;
    std::string_view kind() const override { return "embedded"; }
    bool operator_deposits() const override { return true; }
    std::vector<market::Command> poll_deposits() override { return {}; }
};

}  // namespace provernet::settlement
