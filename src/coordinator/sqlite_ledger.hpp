// The embedded settlement's ledger store over the coordinator's SQLite connection: rows of the
// `settlements` table, written inside the transaction of the command that caused them.
#pragma once

#include "coordinator/database.hpp"
#include "settlement/settlement.hpp"

namespace provernet::coordinator {

class SqliteLedger final : public settlement::LedgerStore {
public:
    explicit SqliteLedger(Database& db) : db_(db) {}
    void append(const settlement::LedgerEntry& entry) override;
    settlement::LedgerTotals totals(std::string_view account) override;
    uint64_t paid_for_request(uint64_t request_id) override;
    std::string requester_of(uint64_t request_id) override;

private:
    Database& db_;
};

}  // namespace provernet::coordinator
