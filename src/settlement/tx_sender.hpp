// Sends EIP-1559 transactions from one key: nonces assigned locally and sequentially, gas
// estimated, every signed transaction journaled before it is broadcast, stuck transactions
// replaced with higher fees, and a restart resumes from the journal without reusing a nonce.
//
// Journal: a JSON-lines file, one {"nonce":n,"hash":"0x..","raw":"0x.."} per signed version,
// appended and fsync'ed before the broadcast. A torn last line (crash while writing) is
// ignored on load: that version was never broadcast. Not thread-safe: one TxSender per key.
#pragma once

#include "math/u256.hpp"
#include "settlement/address.hpp"
#include "settlement/bytes.hpp"
#include "settlement/eip1559.hpp"
#include "settlement/eth_client.hpp"
#include "settlement/keys.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <vector>

namespace provernet::settlement {

// The transaction was mined but reverted (receipt status 0).
struct TxFailed : std::runtime_error {
    TxFailed(const std::string& what, TxReceipt receipt) : std::runtime_error(what), receipt(std::move(receipt)) {}
    TxReceipt receipt;
};

// wait() gave up: no version of the transaction was mined in time.
struct TxTimeout : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct TxSenderOptions {
    // Re-sign the same nonce with fees raised by >= 12.5% when not mined after this long.
    std::chrono::milliseconds bump_after{15'000};
    std::chrono::milliseconds poll_interval{200};
    // gas limit = estimate * 5 / 4 + gas_margin (unless given explicitly).
    uint64_t gas_margin = 10'000;
};

class TxSender {
public:
    // journal: empty path = in memory only. Throws std::runtime_error naming the file if it cannot
    // be opened or holds a transaction from another key or chain.
    TxSender(EthClient& client, PrivateKey key, std::filesystem::path journal = {},
             TxSenderOptions options = {});
    ~TxSender();
    TxSender(const TxSender&) = delete;
    TxSender& operator=(const TxSender&) = delete;

    Address address() const { return key_.address(); }
    void set_bump_after(std::chrono::milliseconds d) { options_.bump_after = d; }
    void set_poll_interval(std::chrono::milliseconds d) { options_.poll_interval = d; }

    // Signs, journals and broadcasts the next nonce's transaction; returns its hash. to empty:
    // contract creation. Without gas_limit, gas is estimated (a Revert propagates, nothing is
    // signed and the nonce is not consumed).
    Hash256 send(const std::optional<Address>& to, Bytes data, const math::U256& value = {},
                 std::optional<uint64_t> gas_limit = {});
    // Polls for the receipt of `hash` or of any replacement of it; returns the mined version's
    // receipt (whatever its status). Throws TxTimeout.
    TxReceipt wait(const Hash256& hash, std::chrono::milliseconds timeout = std::chrono::seconds(60));
    // send + wait; throws TxFailed when the receipt has status 0.
    TxReceipt transact(const std::optional<Address>& to, Bytes data, const math::U256& value = {},
                       std::optional<uint64_t> gas_limit = {});
    // transact with to = nullopt; returns the created contract's address.
    Address deploy(Bytes init_code, const math::U256& value = {});

    // After a restart with the same journal: rebroadcasts the newest version of each journaled
    // nonce not yet mined (never signs anything new) and returns their hashes.
    std::vector<Hash256> resume();

    // The nonce the next send() uses (after the journal and the node's pending count).
    uint64_t next_nonce();

private:
    struct Versions {
        std::vector<SignedEip1559Transaction> signed_versions;  // oldest first, fees increasing
        std::chrono::steady_clock::time_point last_broadcast;
    };

    SignedEip1559Transaction sign_and_journal(const Eip1559Transaction& tx);
    void broadcast(const SignedEip1559Transaction& stx, bool tolerate_known);
    void load_journal();
    void append_journal(const SignedEip1559Transaction& stx);

    EthClient& client_;
    PrivateKey key_;
    std::filesystem::path journal_path_;
    TxSenderOptions options_;
    uint64_t chain_id_ = 0;
    std::optional<uint64_t> next_nonce_;
    std::map<uint64_t, Versions> by_nonce_;  // every signed nonce, from the journal or this run
    std::map<Hash256, uint64_t> nonce_of_;   // every signed version's hash -> its nonce
    int journal_fd_ = -1;
};

}  // namespace provernet::settlement
