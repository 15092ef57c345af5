#include "coordinator/sqlite_ledger.hpp"

namespace provernet::coordinator {

void SqliteLedger::append(const settlement::LedgerEntry& e)
{
    db_.run("INSERT INTO settlements(seq, time_ms, kind, request_id, account, amount) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            e.seq, e.time_ms, e.kind, e.request_id, e.account, e.amount);
}

settlement::LedgerTotals SqliteLedger::totals(std::string_view account)
{
    settlement::LedgerTotals t;
    Statement stmt = db_.prepare("SELECT kind, SUM(amount) FROM settlements WHERE account = ?1 GROUP BY kind");
    stmt.bind(1, account);
    while (stmt.step()) {
        const std::string kind = stmt.column<std::string>(0);
        const uint64_t sum = stmt.column<uint64_t>(1);
        if (kind == "deposit") t.deposited += sum;
        else if (kind == "withdrawal") t.withdrawn += sum;
        else if (kind == "payment" || kind == "bounty") t.earned += sum;
        else if (kind == "fee") t.fees += sum;
        else if (kind == "slash_burn" || kind == "slash_held" || kind == "fine") t.slashed += sum;
        else if (kind == "refund") t.refunded += sum;
    }
    return t;
}

uint64_t SqliteLedger::paid_for_request(uint64_t request_id)
{
    return db_.query_value<uint64_t>(
                  "SELECT COALESCE(SUM(amount), 0) FROM settlements WHERE request_id = ?1 AND kind IN ('payment', 'fee')",
                  request_id)
        .value_or(0);
}

std::string SqliteLedger::requester_of(uint64_t request_id)
{
    return db_.query_value<std::string>("SELECT requester FROM requests WHERE id = ?1", request_id).value_or("");
}

}  // namespace provernet::coordinator
