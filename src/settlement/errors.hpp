// The settlement layer's exception types: one per concept, all deriving from settlement::Error,
// each message naming what is wrong ("<what>: <problem>").
#pragma once

#include <stdexcept>
#include <string>

namespace provernet::settlement {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Malformed hex text (missing 0x, odd length, bad digit, wrong length).
struct HexError : Error {
    using Error::Error;
};
// A private key that is zero or not below the curve order, or an unparsable public key/address.
struct KeyError : Error {
    using Error::Error;
};
// A signature that is malformed (r or s out of range, high s, bad v) or does not recover.
struct SignatureError : Error {
    using Error::Error;
};
// Non-canonical or truncated RLP, or an item of the wrong shape.
struct RlpError : Error {
    using Error::Error;
};
// A bad ABI type string, a value that does not fit its type, or out-of-bounds ABI data.
struct AbiError : Error {
    using Error::Error;
};
// An EIP-1559 transaction that cannot be encoded or decoded.
struct TransactionError : Error {
    using Error::Error;
};

}  // namespace provernet::settlement
