// EIP-191 version 0x45 ("personal_sign"): what wallets sign for a plain message, so a browser
// wallet and provernet's own keys produce interchangeable signatures.
//   digest = keccak256("\x19Ethereum Signed Message:\n" + decimal(len(message)) + message)
#pragma once

#include "settlement/keys.hpp"

namespace provernet::settlement {

Hash256 personal_message_digest(BytesView message);
inline Hash256 personal_message_digest(std::string_view message) { return personal_message_digest(as_bytes(message)); }

Signature personal_sign(const PrivateKey& key, BytesView message);
// Throws SignatureError for a malformed signature.
Address personal_recover(BytesView message, const Signature& sig);

}  // namespace provernet::settlement
