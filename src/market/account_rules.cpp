// Funds and staking rules. Deposits and withdrawals are the only flows across the market's
// boundary; everything else moves funds between places inside it (docs/market.md, "Funds").
#include "market/amount.hpp"
#include "market/rules.hpp"

namespace provernet::market::rules {

namespace {

std::string amount_text(uint64_t a) { return std::to_string(a); }

}  // namespace

uint64_t positive(uint64_t amount, const char* what) {
    if (amount == 0) throw MarketError(ErrorCode::invalid_amount, std::string(what) + ": must be positive");
    return amount;
}

Prover& registered_prover(Transaction& tx, const std::string& address) {
    Prover* p = tx.find_prover(address);
    if (!p) throw MarketError(ErrorCode::not_registered, address + " is not a registered prover");
    return *p;
}

void record_failure(Transaction& tx, const std::string& address, Prover& prover) {
    prover.consecutive_failures = checked_add(prover.consecutive_failures, 1, "consecutive failures");
    if (tx.config.breaker_failures != 0 && !prover.paused &&
        prover.consecutive_failures >= tx.config.breaker_failures) {
        prover.paused = true;
        tx.emit(ProverPaused{address, prover.consecutive_failures});
    }
}

void apply(Transaction& tx, const Deposit& c) {
    std::string account = parse_address(c.account, "deposit: account");
    uint64_t amount = positive(c.amount, "deposit: amount");
    tx.ledger.supply = checked_add(tx.ledger.supply, amount, "market supply");
    tx.ledger.total_deposited = checked_add(tx.ledger.total_deposited, amount, "total deposited");
    Account& a = tx.account(account);
    a.balance = checked_add(a.balance, amount, "balance");
    tx.emit(Deposited{account, amount});
}

void apply(Transaction& tx, const Withdraw& c) {
    std::string account = parse_address(c.account, "withdraw: account");
    uint64_t amount = positive(c.amount, "withdraw: amount");
    Account& a = tx.account(account);
    if (a.balance < amount)
        throw MarketError(ErrorCode::insufficient_balance, account + ": balance " + amount_text(a.balance) +
                                                               " is less than the withdrawal " + amount_text(amount));
    a.balance -= amount;
    tx.ledger.supply = checked_sub(tx.ledger.supply, amount, "market supply");
    tx.ledger.total_withdrawn = checked_add(tx.ledger.total_withdrawn, amount, "total withdrawn");
    tx.emit(Withdrawn{account, amount});
}

void apply(Transaction& tx, const Stake& c) {
    std::string account = parse_address(c.account, "stake: account");
    uint64_t amount = positive(c.amount, "stake: amount");
    Account& a = tx.account(account);
    if (a.balance < amount)
        throw MarketError(ErrorCode::insufficient_balance,
                          account + ": balance " + amount_text(a.balance) + " is less than the stake " + amount_text(amount));
    a.balance -= amount;
    a.stake = checked_add(a.stake, amount, "stake");
    tx.emit(Staked{account, amount});
}

void apply(Transaction& tx, const RequestUnstake& c) {
    std::string account = parse_address(c.account, "request_unstake: account");
    uint64_t amount = positive(c.amount, "request_unstake: amount");
    Account& a = tx.account(account);
    if (a.stake < amount)
        throw MarketError(ErrorCode::insufficient_stake,
                          account + ": free stake " + amount_text(a.stake) + " is less than the unstake " +
                              amount_text(amount) + " (collateral of live locks, " + amount_text(a.locked) +
                              ", cannot be unstaked)");
    if (a.pending.size() >= tx.config.max_pending_unstakes)
        throw MarketError(ErrorCode::too_many_pending_unstakes,
                          account + ": already " + std::to_string(a.pending.size()) + " pending unstakes (the limit)");
    uint64_t unlock_at = checked_add(tx.now, tx.config.withdrawal_delay_ms, "unstake unlock time");
    a.stake -= amount;
    a.pending.push_back({amount, unlock_at});
    tx.emit(UnstakeRequested{account, amount, unlock_at});
}

void apply(Transaction& tx, const CompleteUnstake& c) {
    std::string account = parse_address(c.account, "complete_unstake: account");
    Account& a = tx.account(account);
    if (a.pending.empty()) throw MarketError(ErrorCode::nothing_to_withdraw, account + ": no pending unstake");
    // Entries are in request order and the delay is one constant, so matured ones are a prefix.
    size_t matured = 0;
    uint64_t amount = 0;
    while (matured < a.pending.size() && a.pending[matured].unlock_at <= tx.now)
        amount = checked_add(amount, a.pending[matured++].amount, "matured unstakes");
    if (matured == 0)
        throw MarketError(ErrorCode::withdrawal_not_ready,
                          account + ": the first pending unstake unlocks at " + std::to_string(a.pending[0].unlock_at) +
                              ", now is " + std::to_string(tx.now));
    a.balance = checked_add(a.balance, amount, "balance");
    a.pending.erase(a.pending.begin(), a.pending.begin() + static_cast<ptrdiff_t>(matured));
    tx.emit(UnstakeCompleted{account, amount});
}

void apply(Transaction& tx, const RegisterProver& c) {
    std::string address = parse_address(c.prover, "register_prover: prover");
    if (c.capacity > tx.config.max_capacity)
        throw MarketError(ErrorCode::invalid_capacity, address + ": capacity " + std::to_string(c.capacity) +
                                                           " exceeds the maximum " +
                                                           std::to_string(tx.config.max_capacity));
    Prover* p = tx.find_prover(address);
    if (!p) p = &tx.add_prover(address);
    p->capacity = c.capacity;
    tx.emit(ProverRegistered{address, c.capacity});
}

void apply(Transaction& tx, const ResumeProver& c) {
    std::string address = parse_address(c.prover, "resume_prover: prover");
    Prover& p = registered_prover(tx, address);
    if (!p.paused) throw MarketError(ErrorCode::not_paused, address + " is not paused");
    p.paused = false;
    p.consecutive_failures = 0;
    tx.emit(ProverResumed{address});
}

}  // namespace provernet::market::rules
