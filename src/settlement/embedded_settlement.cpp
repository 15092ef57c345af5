#include "settlement/embedded_settlement.hpp"

#include <type_traits>

namespace provernet::settlement {

std::vector<LedgerEntry> ledger_entries(uint64_t seq, uint64_t time_ms, const market::Event& event,
                                        const std::string& fee_account, const std::string& requester)
{
    std::vector<LedgerEntry> out;
    auto add = [&](const char* kind, uint64_t request_id, const std::string& account, uint64_t amount) {
        if (amount != 0) out.push_back({seq, time_ms, kind, request_id, account, amount});
    };
    std::visit(
        [&](const auto& e) {
            using T = std::decay_t<decltype(e)>;
            using namespace market;
            if constexpr (std::is_same_v<T, Deposited>) {
                add("deposit", 0, e.account, e.amount);
            } else if constexpr (std::is_same_v<T, Withdrawn>) {
                add("withdrawal", 0, e.account, e.amount);
            } else if constexpr (std::is_same_v<T, RequestSubmitted>) {
                add("escrow", e.request_id, e.requester, e.escrow);
            } else if constexpr (std::is_same_v<T, RequestCancelled>) {
                add("refund", e.request_id, e.requester, e.refund);
            } else if constexpr (std::is_same_v<T, RequestLocked>) {
                add("collateral_lock", e.request_id, e.prover, e.collateral);
            } else if constexpr (std::is_same_v<T, ProverSlashed>) {
                add("slash_burn", e.request_id, e.prover, e.burned);
                // The bounty share is held by the request until it settles (paid below).
                add("slash_held", e.request_id, e.prover, e.bounty);
            } else if constexpr (std::is_same_v<T, ProofRejected>) {
                add("fine", e.request_id, e.prover, e.fine);
            } else if constexpr (std::is_same_v<T, RequestFulfilled>) {
                add("payment", e.request_id, e.prover, e.price - e.fee);
                add("fee", e.request_id, fee_account, e.fee);
                add("bounty", e.request_id, e.prover, e.bounty);
                add("refund", e.request_id, requester, e.refund);
                add("collateral_return", e.request_id, e.prover, e.collateral_returned);
            } else if constexpr (std::is_same_v<T, RequestExpired>) {
                add("refund", e.request_id, e.requester, e.refund);
                add("bounty", e.request_id, e.requester, e.bounty);
            }
            // Staking, unstaking and prover registration move funds inside one account (balance
            // <-> stake): the market's account records are their ledger.
        },
        event);
    return out;
}

void LedgerSettlement::settle(uint64_t seq, uint64_t time_ms, std::span<const market::Event> events)
{
    for (const market::Event& event : events) {
        std::string requester;
        if (const auto* f = std::get_if<market::RequestFulfilled>(&event); f && f->refund != 0)
            requester = store_.requester_of(f->request_id);
        for (const LedgerEntry& entry : ledger_entries(seq, time_ms, event, fee_account_, requester))
            store_.append(entry);
    }
}

}  // namespace provernet::settlement
