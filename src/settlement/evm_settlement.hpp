// EVM settlement: the money lives in the ProverMarket contract (docs/contracts.md). The
// coordinator indexes the contract's logs into its market (coordinator/service_chain.cpp) and
// keeps, through this class, a ledger of what the chain moved, derived from the mirrored
// events the same way as the embedded ledger, so both modes answer account totals alike. Nothing
// here can move funds: deposits, stakes, locks and payments are transactions of the actors
// themselves.
#pragma once

#include "settlement/embedded_settlement.hpp"


namespace provernet::settlement {

class EvmSettlement final : public LedgerSettlement {
public:
    using LedgerSettlement::LedgerSettlement;
    std::string_view kind() const override { return "evm"; }
    bool operator_deposits() const override { return false; }
    // The chain's events reach the market through the coordinator's indexer, not through here.
    std::vector<market::Command> poll_deposits() override { return {}; }
};

}  // namespace provernet::settlement
