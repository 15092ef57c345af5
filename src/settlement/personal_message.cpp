#include "settlement/personal_message.hpp"

#include "settlement/keccak.hpp"

#include <string>

namespace provernet::settlement {

Hash256 personal_message_digest(BytesView message)
{
    const std::string prefix = "\x19" "Ethereum Signed Message:\n" + std::to_string(message.size());
    Bytes data(prefix.begin(), prefix.end());
    append(data, message);
    return keccak256(BytesView(data));
}

Signature personal_sign(const PrivateKey& key, BytesView message) { return key.sign(personal_message_digest(message)); }

Address personal_recover(BytesView message, const Signature& sig)
{
    return recover_address(personal_message_digest(message), sig);
}

}  // namespace provernet::settlement
