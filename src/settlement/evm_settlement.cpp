// EVM settlement's ledger mirror (see evm_settlement.hpp).
#include "settlement/evm_settlement.hpp"

namespace provernet::settlement {

void EvmSettlement::settle(uint64_t seq, uint64_t time_ms, std::span<const market::Event> events)
{
    append_ledger_entries(store_, fee_account_, seq, time_ms, events);
}

}  // namespace provernet::settlement
