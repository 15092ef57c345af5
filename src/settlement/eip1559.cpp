#include "settlement/eip1559.hpp"

#include "settlement/errors.hpp"
#include "settlement/keccak.hpp"
#include "settlement/rlp.hpp"

#include <algorithm>
#include <string>

namespace provernet::settlement {
namespace {

std::vector<rlp::Item> unsigned_fields(const Eip1559Transaction& tx)
{
    std::vector<rlp::Item> access_list;
    access_list.reserve(tx.access_list.size());
    for (const AccessListEntry& entry : tx.access_list) {
        std::vector<rlp::Item> keys;
        keys.reserve(entry.storage_keys.size());
        for (const Hash256& key : entry.storage_keys)
            keys.push_back(rlp::Item::string(key));
        access_list.push_back(rlp::Item::list({rlp::Item::string(entry.address.bytes), rlp::Item::list(std::move(keys))}));
    }
    return {
        rlp::Item::uint(tx.chain_id),
        rlp::Item::uint(tx.nonce),
        rlp::Item::uint(tx.max_priority_fee_per_gas),
        rlp::Item::uint(tx.max_fee_per_gas),
        rlp::Item::uint(tx.gas_limit),
        tx.to ? rlp::Item::string(tx.to->bytes) : rlp::Item::string(Bytes{}),
        rlp::Item::uint(tx.value),
        rlp::Item::string(tx.data),
        rlp::Item::list(std::move(access_list)),
    };
}

Bytes typed_envelope(const std::vector<rlp::Item>& fields)
{
    Bytes out{Eip1559Transaction::type};
    append(out, rlp::encode(rlp::Item::list(fields)));
    return out;
}

std::vector<AccessListEntry> decode_access_list(const rlp::Item& item)
{
    std::vector<AccessListEntry> out;
    const auto& entries = rlp::as_list(item, "access_list");
    out.reserve(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
        const std::string name = "access_list[" + std::to_string(i) + "]";
        const auto& pair = rlp::as_list(entries[i], name);
        if (pair.size() != 2)
            throw RlpError("rlp field \"" + name + "\": expected [address, storage_keys], got " +
                           std::to_string(pair.size()) + " items");
        AccessListEntry entry;
        const Bytes& address = rlp::as_fixed_bytes(pair[0], 20, name + ".address");
        std::copy(address.begin(), address.end(), entry.address.bytes.begin());
        const auto& keys = rlp::as_list(pair[1], name + ".storage_keys");
        for (size_t k = 0; k < keys.size(); ++k) {
            const Bytes& key = rlp::as_fixed_bytes(keys[k], 32, name + ".storage_keys[" + std::to_string(k) + "]");
            Hash256 h;
            std::copy(key.begin(), key.end(), h.begin());
            entry.storage_keys.push_back(h);
        }
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace

void Eip1559Transaction::validate() const
{
    if (chain_id == 0)
        throw TransactionError("eip1559: chain_id must be nonzero (replay protection)");
    if (max_priority_fee_per_gas > max_fee_per_gas)
        throw TransactionError("eip1559: max_priority_fee_per_gas (" + max_priority_fee_per_gas.to_decimal() +
                               ") exceeds max_fee_per_gas (" + max_fee_per_gas.to_decimal() + ")");
}

Bytes Eip1559Transaction::signing_payload() const { return typed_envelope(unsigned_fields(*this)); }

Hash256 Eip1559Transaction::signing_hash() const { return keccak256(BytesView(signing_payload())); }

Bytes SignedEip1559Transaction::raw() const
{
    std::vector<rlp::Item> fields = unsigned_fields(tx);
    fields.push_back(rlp::Item::uint(signature.recovery_id));
    fields.push_back(rlp::Item::uint(u256_from_be(signature.r)));
    fields.push_back(rlp::Item::uint(u256_from_be(signature.s)));
    return typed_envelope(fields);
}

Hash256 SignedEip1559Transaction::hash() const { return keccak256(BytesView(raw())); }

Address SignedEip1559Transaction::sender() const { return recover_address(tx.signing_hash(), signature); }

SignedEip1559Transaction SignedEip1559Transaction::decode(BytesView raw)
{
    if (raw.empty())
        throw TransactionError("eip1559: empty transaction bytes");
    if (raw[0] != Eip1559Transaction::type)
        throw TransactionError("eip1559: transaction type byte is " + std::to_string(raw[0]) + ", expected 2");
    try {
        const rlp::Item root = rlp::decode(raw.subspan(1));
        const auto& f = rlp::as_list(root, "transaction");
        if (f.size() != 12)
            throw TransactionError("eip1559: expected 12 fields, got " + std::to_string(f.size()));
        SignedEip1559Transaction out;
        Eip1559Transaction& tx = out.tx;
        tx.chain_id = rlp::as_uint64(f[0], "chain_id");
        tx.nonce = rlp::as_uint64(f[1], "nonce");
        tx.max_priority_fee_per_gas = rlp::as_u256(f[2], "max_priority_fee_per_gas");
        tx.max_fee_per_gas = rlp::as_u256(f[3], "max_fee_per_gas");
        tx.gas_limit = rlp::as_uint64(f[4], "gas_limit");
        const Bytes& to = rlp::as_bytes(f[5], "to");
        if (!to.empty()) {
            if (to.size() != 20)
                throw TransactionError("eip1559: field \"to\": expected 0 or 20 bytes, got " + std::to_string(to.size()));
            Address a;
            std::copy(to.begin(), to.end(), a.bytes.begin());
            tx.to = a;
        }
        tx.value = rlp::as_u256(f[6], "value");
        tx.data = rlp::as_bytes(f[7], "data");
        tx.access_list = decode_access_list(f[8]);

        const uint64_t y_parity = rlp::as_uint64(f[9], "y_parity");
        if (y_parity > 1)
            throw TransactionError("eip1559: y_parity must be 0 or 1, got " + std::to_string(y_parity));
        out.signature.recovery_id = uint8_t(y_parity);
        out.signature.r = to_be_bytes(rlp::as_u256(f[10], "r"));
        out.signature.s = to_be_bytes(rlp::as_u256(f[11], "s"));
        out.signature.validate("eip1559 signature");
        tx.validate();
        return out;
    }
    catch (const RlpError& e) {
        throw TransactionError(std::string("eip1559: ") + e.what());
    }
    catch (const SignatureError& e) {
        throw TransactionError(std::string("eip1559: ") + e.what());
    }
}

SignedEip1559Transaction sign(const Eip1559Transaction& tx, const PrivateKey& key)
{
    tx.validate();
    return SignedEip1559Transaction{tx, key.sign(tx.signing_hash())};
}

}  // namespace provernet::settlement
