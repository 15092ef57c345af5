// Proofs, payment, slashing and deadlines (docs/market.md, "Fulfilment", "Slashing",
// "Deadlines").
#include "market/amount.hpp"
#include "market/rules.hpp"

#include <algorithm>

namespace provernet::market::rules {

namespace {

std::string text(uint64_t v) { return std::to_string(v); }

// Takes the holder's whole collateral: the burn share is destroyed, the rest is held by the
// request for whoever settles it (the fulfiller, or the requester at expiry).
void slash_holder(Transaction& tx, Request& r, SlashReason reason, const std::string& bounty_to) {
    Account& a = tx.account(r.holder);
    Prover& p = registered_prover(tx, r.holder);
    uint64_t collateral = r.collateral;
    uint64_t burned = bps_of(collateral, tx.config.slash_burn_bps, "slash burn");
    uint64_t bounty = collateral - burned;
    a.locked = checked_sub(a.locked, collateral, "locked collateral");
    tx.ledger.burned = checked_add(tx.ledger.burned, burned, "burned");
    r.bounty = checked_add(r.bounty, bounty, "held bounty");
    r.collateral = 0;
    r.forfeited = true;
    p.active_locks = checked_sub(p.active_locks, 1, "active locks");
    if (reason == SlashReason::missed) p.record.missed = checked_add(p.record.missed, 1, "missed");
    else p.record.invalid = checked_add(p.record.invalid, 1, "invalid");
    p.record.slashed_total = checked_add(p.record.slashed_total, collateral, "slashed total");
    tx.emit(ProverSlashed{r.id, r.holder, reason, collateral, burned, bounty, bounty_to});
    record_failure(tx, r.holder, p);
}

// Settles a fulfilled request: the price (less the protocol fee) and the held bounty to the
// prover, the fee to the fee account, the unused escrow back to the requester.
void pay(Transaction& tx, Request& r, const std::string& address, Prover& p, uint64_t price, bool secondary,
         uint64_t collateral_returned) {
    uint64_t fee = bps_of(price, tx.config.fee_bps, "protocol fee");
    uint64_t net = price - fee;
    uint64_t bounty = r.bounty;
    uint64_t refund = checked_sub(r.escrow, price, "escrow");
    uint64_t earned = checked_add(net, bounty, "prover payment");

    Account& prover = tx.account(address);
    prover.balance = checked_add(prover.balance, earned, "balance");
    Account& fees = tx.account(tx.config.fee_account);
    fees.balance = checked_add(fees.balance, fee, "fee account balance");
    tx.ledger.fees_collected = checked_add(tx.ledger.fees_collected, fee, "fees collected");
    Account& requester = tx.account(r.requester);
    requester.balance = checked_add(requester.balance, refund, "balance");

    p.record.fulfilled = checked_add(p.record.fulfilled, 1, "fulfilled");
    p.record.earned_total = checked_add(p.record.earned_total, earned, "earned total");

    r.escrow = 0;
    r.bounty = 0;
    r.status = RequestStatus::fulfilled;
    r.fulfilled_by = address;
    r.paid_price = price;
    r.closed_at = tx.now;
    tx.emit(RequestFulfilled{r.id, address, price, fee, bounty, refund, collateral_returned, secondary});
}

}  // namespace

void apply(Transaction& tx, const Fulfill& c) {
    std::string address = parse_address(c.prover, "fulfill: prover");
    Prover& p = registered_prover(tx, address);
    Request& r = existing_request(tx, c.request_id);
    if (r.closed())
        throw MarketError(ErrorCode::request_closed, "request " + text(r.id) + " is " + std::string(to_string(r.status)));
    if (tx.now >= r.spec.final_deadline)
        throw MarketError(ErrorCode::final_deadline_passed, "request " + text(r.id) + ": final deadline " +
                                                                text(r.spec.final_deadline) + " has passed");
    const bool holder = r.live_lock() && r.holder == address;
    if (r.exclusive_at(tx.now) && !holder)
        throw MarketError(ErrorCode::not_lock_holder, "request " + text(r.id) + " is locked by " + r.holder +
                                                          " until " + text(r.spec.lock_deadline));
    Account& a = tx.account(address);
    // Without a live lock a prover has no collateral at stake here: it must hold the minimum
    // free stake, from which an invalid proof is fined.
    if (!holder && a.stake < tx.config.min_fulfiller_stake)
        throw MarketError(ErrorCode::insufficient_stake,
                          address + ": free stake " + text(a.stake) + " is below the " +
                              text(tx.config.min_fulfiller_stake) + " needed to fulfil without a lock");

    if (!c.proof_valid) {
        if (holder) {
            slash_holder(tx, r, SlashReason::invalid, "");
            return;
        }
        uint64_t fine = std::min(tx.config.invalid_proof_fine, a.stake);
        a.stake -= fine;
        tx.ledger.burned = checked_add(tx.ledger.burned, fine, "burned");
        p.record.invalid = checked_add(p.record.invalid, 1, "invalid");
        p.record.slashed_total = checked_add(p.record.slashed_total, fine, "slashed total");
        tx.emit(ProofRejected{r.id, address, fine});
        record_failure(tx, address, p);
        return;
    }

    if (holder && tx.now < r.spec.lock_deadline) {
        uint64_t collateral = r.collateral;
        a.locked = checked_sub(a.locked, collateral, "locked collateral");
        a.stake = checked_add(a.stake, collateral, "stake");
        r.collateral = 0;
        p.active_locks = checked_sub(p.active_locks, 1, "active locks");
        p.consecutive_failures = 0;
        pay(tx, r, address, p, r.lock_price, false, collateral);
    } else if (r.status == RequestStatus::locked) {
        // The lock lapsed (or was forfeited): the holder, if not yet slashed, is slashed now that
        // we know who fulfilled in its place; the fulfiller gets the agreed price and the bounty.
        if (r.live_lock()) slash_holder(tx, r, SlashReason::missed, address);
        pay(tx, r, address, p, r.lock_price, true, 0);
    } else {
        pay(tx, r, address, p, price_at(r.spec, tx.now), true, 0);
    }
}

void apply(Transaction& tx, const Tick&) {
    for (uint64_t id : tx.due_by(tx.now)) {
        Request& r = existing_request(tx, id);
        if (r.live_lock()) slash_holder(tx, r, SlashReason::missed, r.requester);
        uint64_t refund = r.escrow;
        uint64_t bounty = r.bounty;
        Account& a = tx.account(r.requester);
        a.balance = checked_add(a.balance, checked_add(refund, bounty, "expiry refund"), "balance");
        r.escrow = 0;
        r.bounty = 0;
        r.status = RequestStatus::expired;
        r.closed_at = tx.now;
        tx.emit(RequestExpired{r.id, r.requester, refund, bounty});
    }
    for (uint64_t id : tx.prunable_by(tx.now)) tx.erase_request(id);
}

}  // namespace provernet::market::rules
