#include "settlement/tx_sender.hpp"

#include "settlement/hex.hpp"
#include "settlement/keccak.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace provernet::settlement {

namespace {

using Clock = std::chrono::steady_clock;

// x * 9 / 8 + 1, rounded down: strictly more than the 12.5% (geth: 10%) a replacement needs.
math::U256 bumped(const math::U256& x)
{
    math::U256 eighth = x.shr1().shr1().shr1(), out;
    if (math::U256::add(out, x, eighth) || math::U256::add(out, out, math::U256(1)))
        throw std::runtime_error("fee " + x.to_hex() + " cannot be raised further");
    return out;
}

const math::U256& max_of(const math::U256& a, const math::U256& b) { return a < b ? b : a; }

std::string hex_hash(const Hash256& h) { return to_hex(BytesView(h)); }

}  // namespace

TxSender::TxSender(EthClient& client, PrivateKey key, std::filesystem::path journal, TxSenderOptions options)
    : client_(client), key_(std::move(key)), journal_path_(std::move(journal)), options_(options)
{
    chain_id_ = client_.chain_id();
    if (!journal_path_.empty()) {
        load_journal();
        journal_fd_ = ::open(journal_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (journal_fd_ < 0)
            throw std::runtime_error("transaction journal " + journal_path_.string() +
                                     ": cannot open for appending: " + std::strerror(errno));
    }
}

TxSender::~TxSender()
{
    if (journal_fd_ >= 0)
        ::close(journal_fd_);
}

void TxSender::load_journal()
{
    const std::string name = "transaction journal " + journal_path_.string();
    std::ifstream in(journal_path_, std::ios::binary);
    if (!in) {
        if (std::filesystem::exists(journal_path_))
            throw std::runtime_error(name + ": cannot be read");
        return;  // a new journal
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    // A torn last line (crash while appending) was never broadcast: cut it off, so that the next
    // record starts on a line of its own.
    const size_t complete = text.empty() ? 0 : text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
    if (complete != text.size()) {
        text.resize(complete);
        std::filesystem::resize_file(journal_path_, complete);
    }
    size_t line_no = 0;
    for (size_t pos = 0; pos < text.size();) {
        const size_t end = text.find('\n', pos);
        const std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (line.empty())
            continue;
        const std::string where = name + " line " + std::to_string(line_no);
        const auto record = nlohmann::json::parse(line, nullptr, false);
        if (!record.is_object() || !record.contains("nonce") || !record["nonce"].is_number_unsigned() ||
            !record.contains("hash") || !record["hash"].is_string())
            throw std::runtime_error(where + ": not a journal record");
        const uint64_t nonce = record["nonce"].get<uint64_t>();
        const Hash256 hash = from_hex_array<32>(record["hash"].get<std::string>(), where + " hash");
        if (record.value("rejected", false)) {
            // The node refused this version outright: forget it.
            auto it = by_nonce_.find(nonce);
            if (it != by_nonce_.end()) {
                std::erase_if(it->second.signed_versions, [&](const auto& s) { return s.hash() == hash; });
                if (it->second.signed_versions.empty())
                    by_nonce_.erase(it);
            }
            nonce_of_.erase(hash);
            continue;
        }
        if (!record.contains("raw") || !record["raw"].is_string())
            throw std::runtime_error(where + ": missing raw transaction");
        const Bytes raw = from_hex(record["raw"].get<std::string>(), where + " raw");
        auto stx = SignedEip1559Transaction::decode(raw);
        if (stx.hash() != hash)
            throw std::runtime_error(where + ": hash does not match the raw transaction");
        if (stx.tx.nonce != nonce)
            throw std::runtime_error(where + ": nonce does not match the raw transaction");
        if (stx.tx.chain_id != chain_id_)
            throw std::runtime_error(where + ": chain id " + std::to_string(stx.tx.chain_id) +
                                     " differs from the node's " + std::to_string(chain_id_));
        if (stx.sender() != key_.address())
            throw std::runtime_error(where + ": signed by " + stx.sender().to_checksum_string() + ", not by " +
                                     key_.address().to_checksum_string());
        by_nonce_[nonce].signed_versions.push_back(std::move(stx));
        nonce_of_[hash] = nonce;
    }
}

void TxSender::append_journal(const SignedEip1559Transaction& stx)
{
    if (journal_fd_ < 0)
        return;
    const nlohmann::json record = {
        {"nonce", stx.tx.nonce}, {"hash", hex_hash(stx.hash())}, {"raw", to_hex(stx.raw())}};
    const std::string line = record.dump() + "\n";
    size_t written = 0;
    while (written < line.size()) {
        const ssize_t n = ::write(journal_fd_, line.data() + written, line.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw std::runtime_error("transaction journal " + journal_path_.string() + ": write failed: " +
                                     std::strerror(errno));
        written += size_t(n);
    }
    if (::fsync(journal_fd_) != 0)
        throw std::runtime_error("transaction journal " + journal_path_.string() + ": fsync failed: " +
                                 std::strerror(errno));
}

SignedEip1559Transaction TxSender::sign_and_journal(const Eip1559Transaction& tx)
{
    SignedEip1559Transaction stx = sign(tx, key_);
    append_journal(stx);  // before the broadcast: a restart must know every nonce it may have used
    auto& versions = by_nonce_[tx.nonce];
    versions.signed_versions.push_back(stx);
    nonce_of_[stx.hash()] = tx.nonce;
    return stx;
}

void TxSender::broadcast(const SignedEip1559Transaction& stx, bool tolerate_known)
{
    by_nonce_[stx.tx.nonce].last_broadcast = Clock::now();
    try {
        client_.send_raw(stx.raw());
    } catch (const RpcError&) {
        if (tolerate_known) {
            // Already in the pool or mined: rebroadcasting it was harmless.
            const auto known = client_.rpc().call("eth_getTransactionByHash", {hex_hash(stx.hash())});
            if (!known.is_null())
                return;
        }
        throw;
    }
}

uint64_t TxSender::next_nonce()
{
    if (!next_nonce_) {
        const uint64_t pending = client_.nonce(key_.address(), "pending");
        const uint64_t after_journal = by_nonce_.empty() ? 0 : by_nonce_.rbegin()->first + 1;
        next_nonce_ = std::max(pending, after_journal);
    }
    return *next_nonce_;
}

Hash256 TxSender::send(const std::optional<Address>& to, Bytes data, const math::U256& value,
                       std::optional<uint64_t> gas_limit)
{
    Eip1559Transaction tx;
    tx.chain_id = chain_id_;
    tx.to = to;
    tx.value = value;
    if (gas_limit) {
        tx.gas_limit = *gas_limit;
    } else {
        const uint64_t estimate = client_.estimate_gas(to, data, key_.address(), value);
        tx.gas_limit = estimate + estimate / 4 + options_.gas_margin;
    }
    tx.data = std::move(data);
    const Fees fees = client_.suggest_fees();
    tx.max_fee_per_gas = fees.max_fee_per_gas;
    tx.max_priority_fee_per_gas = fees.max_priority_fee_per_gas;
    tx.nonce = next_nonce();
    tx.validate();

    const SignedEip1559Transaction stx = sign_and_journal(tx);
    next_nonce_ = tx.nonce + 1;
    try {
        broadcast(stx, false);
    } catch (const RpcError&) {
        // The node refused it outright (e.g. insufficient funds): the nonce is still free, so
        // record the refusal and give the nonce back.
        if (journal_fd_ >= 0) {
            const std::string line =
                nlohmann::json{{"nonce", tx.nonce}, {"hash", hex_hash(stx.hash())}, {"rejected", true}}.dump() + "\n";
            if (::write(journal_fd_, line.data(), line.size()) == ssize_t(line.size()))
                ::fsync(journal_fd_);
        }
        nonce_of_.erase(stx.hash());
        by_nonce_.erase(tx.nonce);
        next_nonce_ = tx.nonce;
        throw;
    }
    return stx.hash();
}

TxReceipt TxSender::wait(const Hash256& hash, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    // Poll fast at first (a dev node mines at once), then every poll_interval.
    auto pause = std::min(std::chrono::milliseconds(5), options_.poll_interval);
    const auto sleep = [&] {
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, options_.poll_interval);
    };
    const auto found = nonce_of_.find(hash);
    if (found == nonce_of_.end()) {
        // Not ours: just poll for it.
        while (true) {
            if (auto r = client_.receipt(hash))
                return *r;
            if (Clock::now() >= deadline)
                throw TxTimeout("transaction " + hex_hash(hash) + " not mined after " +
                                std::to_string(timeout.count()) + " ms");
            sleep();
        }
    }
    const uint64_t nonce = found->second;
    Versions& versions = by_nonce_.at(nonce);
    const auto mined_receipt = [&]() -> std::optional<TxReceipt> {
        for (auto it = versions.signed_versions.rbegin(); it != versions.signed_versions.rend(); ++it)
            if (auto r = client_.receipt(it->hash()))
                return r;
        return std::nullopt;
    };
    while (true) {
        if (auto r = mined_receipt())
            return *r;
        const auto now = Clock::now();
        if (now >= deadline)
            throw TxTimeout("transaction " + hex_hash(hash) + " (nonce " + std::to_string(nonce) + ", " +
                            std::to_string(versions.signed_versions.size()) + " versions) not mined after " +
                            std::to_string(timeout.count()) + " ms");
        if (now - versions.last_broadcast >= options_.bump_after) {
            if (client_.nonce(key_.address(), "latest") > nonce) {
                // The nonce was mined meanwhile: either by one of our versions (seen next poll) or
                // by a transaction this sender never signed.
                if (auto r = mined_receipt())
                    return *r;
                throw std::runtime_error("nonce " + std::to_string(nonce) + " of " +
                                         key_.address().to_checksum_string() +
                                         " was used by a transaction not signed by this sender");
            }
            Eip1559Transaction tx = versions.signed_versions.back().tx;
            const Fees now_fees = client_.suggest_fees();
            tx.max_priority_fee_per_gas = max_of(bumped(tx.max_priority_fee_per_gas), now_fees.max_priority_fee_per_gas);
            tx.max_fee_per_gas = max_of(bumped(tx.max_fee_per_gas), now_fees.max_fee_per_gas);
            tx.max_fee_per_gas = max_of(tx.max_fee_per_gas, tx.max_priority_fee_per_gas);
            const SignedEip1559Transaction stx = sign_and_journal(tx);
            try {
                broadcast(stx, true);
            } catch (const RpcError&) {
                // Replacement refused (e.g. the old version was just mined): keep waiting for
                // whichever version the chain has; the next bump tries again.
                versions.last_broadcast = Clock::now();
            }
            continue;
        }
        sleep();
    }
}

TxReceipt TxSender::transact(const std::optional<Address>& to, Bytes data, const math::U256& value,
                             std::optional<uint64_t> gas_limit)
{
    const Hash256 hash = send(to, std::move(data), value, gas_limit);
    TxReceipt receipt = wait(hash);
    if (!receipt.success)
        throw TxFailed("transaction " + hex_hash(receipt.tx_hash) + " reverted in block " +
                           std::to_string(receipt.block_number) + " (gas used " + std::to_string(receipt.gas_used) +
                           ")",
                       receipt);
    return receipt;
}

Address TxSender::deploy(Bytes init_code, const math::U256& value)
{
    const TxReceipt receipt = transact(std::nullopt, std::move(init_code), value);
    if (!receipt.contract_address)
        throw std::runtime_error("deployment " + hex_hash(receipt.tx_hash) + ": receipt has no contract address");
    return *receipt.contract_address;
}

std::vector<Hash256> TxSender::resume()
{
    const uint64_t mined = client_.nonce(key_.address(), "latest");
    std::vector<Hash256> hashes;
    for (auto& [nonce, versions] : by_nonce_) {
        if (nonce < mined || versions.signed_versions.empty())
            continue;
        const auto& newest = versions.signed_versions.back();
        broadcast(newest, true);
        hashes.push_back(newest.hash());
    }
    next_nonce_.reset();
    return hashes;
}

}  // namespace provernet::settlement
