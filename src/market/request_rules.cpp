// Submission, cancellation and the reverse-Dutch auction (docs/market.md, "Requests" and
// "Auction").
#include "market/amount.hpp"
#include "market/rules.hpp"

namespace provernet::market::rules {

namespace {

std::string text(uint64_t v) { return std::to_string(v); }

[[noreturn]] void bad_request(const std::string& problem) {
    throw MarketError(ErrorCode::invalid_request, "submit_request: " + problem);
}

void check_key(const std::string& key) {
    if (key.empty() || key.size() > 128) bad_request("idempotency_key: must be 1 to 128 characters");
    for (char c : key)
        if (c < 0x21 || c > 0x7e) bad_request("idempotency_key: must be printable ASCII without spaces");
}

// Prices and deadlines must describe an auction that can run: see docs/market.md.
void check_terms(const RequestSpec& s, const Config& config, uint64_t now) {
    if (s.max_price == 0) bad_request("max_price: must be positive");
    if (s.min_price > s.max_price)
        bad_request("min_price " + text(s.min_price) + " exceeds max_price " + text(s.max_price));
    if (s.lock_deadline <= now)
        bad_request("lock_deadline " + text(s.lock_deadline) + " is not after now (" + text(now) + ")");
    if (s.final_deadline < s.lock_deadline)
        bad_request("final_deadline " + text(s.final_deadline) + " is before lock_deadline " + text(s.lock_deadline));
    if (s.final_deadline - now > config.max_request_lifetime_ms)
        bad_request("final_deadline is " + text(s.final_deadline - now) + " ms away, more than the maximum " +
                    text(config.max_request_lifetime_ms));
    if (s.ramp_start > s.lock_deadline || s.ramp_period > s.lock_deadline - s.ramp_start)
        bad_request("the ramp (start " + text(s.ramp_start) + ", period " + text(s.ramp_period) +
                    ") must end by lock_deadline " + text(s.lock_deadline));
    if (s.collateral < config.min_collateral)
        bad_request("collateral " + text(s.collateral) + " is below the minimum " + text(config.min_collateral));
}

}  // namespace

Request& existing_request(Transaction& tx, uint64_t id) {
    Request* r = tx.find_request(id);
    if (!r) throw MarketError(ErrorCode::unknown_request, "request " + text(id) + " does not exist (or was pruned)");
    return *r;
}

void apply(Transaction& tx, const SubmitRequest& c) {
    std::string requester = parse_address(c.requester, "submit_request: requester");
    check_key(c.idempotency_key);
    RequestSpec spec = c.spec;
    auto circuit = normalize_circuit_id(spec.circuit_id);
    if (!circuit) bad_request("circuit_id: must be 1 to 128 hex digits (0x prefix optional)");
    spec.circuit_id = *circuit;
    if (spec.inputs.size() > tx.config.max_inputs_bytes)
        bad_request("inputs: " + text(spec.inputs.size()) + " bytes, more than the maximum " +
                    text(tx.config.max_inputs_bytes));

    // Idempotency comes before the time checks: a retry of an accepted request must find it
    // even when its deadlines have since passed.
    if (auto existing = tx.find_by_key(requester, c.idempotency_key)) {
        const Request& r = existing_request(tx, *existing);
        std::string field = first_difference(r.spec, spec);
        if (!field.empty())
            throw MarketError(ErrorCode::idempotency_conflict,
                              "submit_request: idempotency_key \"" + c.idempotency_key + "\" of " + requester +
                                  " names request " + text(r.id) + ", whose " + field + " differs");
        tx.request_id = r.id;
        tx.duplicate = true;
        return;
    }

    check_terms(spec, tx.config, tx.now);
    Account& a = tx.account(requester);
    if (a.balance < spec.max_price)
        throw MarketError(ErrorCode::insufficient_balance, requester + ": balance " + text(a.balance) +
                                                               " cannot escrow max_price " + text(spec.max_price));
    a.balance -= spec.max_price;

    Request r;
    r.id = tx.ledger.next_request_id;
    tx.ledger.next_request_id = checked_add(r.id, 1, "request id");
    r.requester = requester;
    r.idempotency_key = c.idempotency_key;
    r.spec = std::move(spec);
    r.submitted_at = tx.now;
    r.escrow = r.spec.max_price;
    tx.request_id = r.id;
    tx.emit(RequestSubmitted{r.id, requester, r.spec.priority, r.escrow});
    tx.insert_request(std::move(r));
}

void apply(Transaction& tx, const Cancel& c) {
    std::string requester = parse_address(c.requester, "cancel: requester");
    Request& r = existing_request(tx, c.request_id);
    if (r.requester != requester)
        throw MarketError(ErrorCode::not_requester,
                          "request " + text(r.id) + " belongs to " + r.requester + ", not " + requester);
    if (r.closed())
        throw MarketError(ErrorCode::request_closed, "request " + text(r.id) + " is " + std::string(to_string(r.status)));
    if (r.status == RequestStatus::locked)
        throw MarketError(ErrorCode::already_locked,
                          "request " + text(r.id) + " is locked by " + r.holder + ": only unlocked requests can be cancelled");
    if (tx.now >= r.spec.final_deadline)
        throw MarketError(ErrorCode::final_deadline_passed,
                          "request " + text(r.id) + " passed its final deadline: a tick refunds it");
    uint64_t refund = checked_add(r.escrow, r.bounty, "cancel refund");
    Account& a = tx.account(requester);
    a.balance = checked_add(a.balance, refund, "balance");
    r.escrow = 0;
    r.bounty = 0;
    r.status = RequestStatus::cancelled;
    r.closed_at = tx.now;
    tx.emit(RequestCancelled{r.id, requester, refund});
}

void apply(Transaction& tx, const Lock& c) {
    std::string address = parse_address(c.prover, "lock: prover");
    Prover& p = registered_prover(tx, address);
    if (p.paused)
        throw MarketError(ErrorCode::prover_paused, address + " is paused after " + text(p.consecutive_failures) +
                                                        " consecutive failures (resume_prover clears it)");
    Request& r = existing_request(tx, c.request_id);
    if (r.closed())
        throw MarketError(ErrorCode::request_closed, "request " + text(r.id) + " is " + std::string(to_string(r.status)));
    if (r.status == RequestStatus::locked)
        throw MarketError(ErrorCode::already_locked, "request " + text(r.id) + " is already locked by " + r.holder);
    if (tx.now >= r.spec.lock_deadline)
        throw MarketError(ErrorCode::lock_deadline_passed,
                          "request " + text(r.id) + ": lock deadline " + text(r.spec.lock_deadline) + " has passed");
    if (p.active_locks >= p.capacity)
        throw MarketError(ErrorCode::capacity_exceeded, address + " holds " + text(p.active_locks) +
                                                            " live locks, its declared capacity is " + text(p.capacity));
    uint64_t limit = tx.market.lock_limit(p, r.spec.priority);
    if (p.active_locks >= limit)
        throw MarketError(ErrorCode::class_limit_reached,
                          address + " holds " + text(p.active_locks) + " live locks: while higher-priority requests wait, " +
                              std::string(to_string(r.spec.priority)) + " requests may use only " + text(limit) + " of " +
                              text(p.capacity));
    Account& a = tx.account(address);
    if (a.stake < r.spec.collateral)
        throw MarketError(ErrorCode::insufficient_stake, address + ": free stake " + text(a.stake) +
                                                             " does not cover the collateral " + text(r.spec.collateral));
    a.stake -= r.spec.collateral;
    a.locked = checked_add(a.locked, r.spec.collateral, "locked collateral");
    p.active_locks = checked_add(p.active_locks, 1, "active locks");
    r.status = RequestStatus::locked;
    r.holder = address;
    r.lock_price = price_at(r.spec, tx.now);
    r.locked_at = tx.now;
    r.collateral = r.spec.collateral;
    tx.emit(RequestLocked{r.id, address, r.lock_price, r.collateral});
}

}  // namespace provernet::market::rules
