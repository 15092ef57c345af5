// EIP-1559 (type 2) transactions: the signing payload, signing with a PrivateKey, the raw bytes
// for eth_sendRawTransaction, the transaction hash, and strict decoding with sender recovery.
//
//   signing payload = 0x02 || rlp([chain_id, nonce, max_priority_fee_per_gas, max_fee_per_gas,
//                                  gas_limit, to, value, data, access_list])
//   raw             = 0x02 || rlp([... the same nine ..., y_parity, r, s])
//   hash            = keccak256(raw)
#pragma once

#include "math/u256.hpp"
#include "settlement/address.hpp"
#include "settlement/bytes.hpp"
#include "settlement/keys.hpp"

#include <optional>
#include <vector>

namespace provernet::settlement {

struct AccessListEntry {
    Address address;
    std::vector<Hash256> storage_keys;

    friend bool operator==(const AccessListEntry&, const AccessListEntry&) = default;
};

struct Eip1559Transaction {
    static constexpr uint8_t type = 0x02;

    uint64_t chain_id = 0;
    uint64_t nonce = 0;
    math::U256 max_priority_fee_per_gas;
    math::U256 max_fee_per_gas;
    uint64_t gas_limit = 0;
    std::optional<Address> to;  // empty: contract creation (`data` is the init code)
    math::U256 value;
    Bytes data;
    std::vector<AccessListEntry> access_list;

    // Throws TransactionError if the transaction can never be valid: chain_id 0 or a priority
    // fee above the fee cap.
    void validate() const;
    Bytes signing_payload() const;
    Hash256 signing_hash() const;

    friend bool operator==(const Eip1559Transaction&, const Eip1559Transaction&) = default;
};

struct SignedEip1559Transaction {
    Eip1559Transaction tx;
    Signature signature;  // recovery_id is the transaction's y_parity

    Bytes raw() const;
    Hash256 hash() const;
    // The signer, recovered from the signature over tx.signing_hash().
    Address sender() const;

    // Strict decoding of raw bytes (type byte, exactly 12 canonical fields, 0- or 20-byte `to`,
    // 32-byte storage keys, y_parity 0/1, low-s). Throws TransactionError naming the field.
    static SignedEip1559Transaction decode(BytesView raw);

    friend bool operator==(const SignedEip1559Transaction&, const SignedEip1559Transaction&) = default;
};

SignedEip1559Transaction sign(const Eip1559Transaction& tx, const PrivateKey& key);

}  // namespace provernet::settlement
