// Internal: the rule for each command, applied to a Transaction. Each throws MarketError to
// reject (the transaction is then dropped). docs/market.md explains every rule.
#pragma once

#include "market/transaction.hpp"

namespace provernet::market::rules {

// account_rules.cpp: funds, staking, prover registration.
void apply(Transaction& tx, const Deposit& c);
void apply(Transaction& tx, const Withdraw& c);
void apply(Transaction& tx, const Stake& c);
void apply(Transaction& tx, const RequestUnstake& c);
void apply(Transaction& tx, const CompleteUnstake& c);
void apply(Transaction& tx, const RegisterProver& c);
void apply(Transaction& tx, const ResumeProver& c);

// request_rules.cpp: submission, cancellation, the auction.
void apply(Transaction& tx, const SubmitRequest& c);
void apply(Transaction& tx, const Cancel& c);
void apply(Transaction& tx, const Lock& c);

// settlement_rules.cpp: proofs, slashing, deadlines.
void apply(Transaction& tx, const Fulfill& c);
void apply(Transaction& tx, const Tick& c);

// Shared by the rules.
Request& existing_request(Transaction& tx, uint64_t id);
Prover& registered_prover(Transaction& tx, const std::string& address);
uint64_t positive(uint64_t amount, const char* what);
// Counts a missed or invalid outcome; trips the circuit breaker at the threshold.
void record_failure(Transaction& tx, const std::string& address, Prover& prover);

}  // namespace provernet::market::rules
