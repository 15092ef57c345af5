#include "settlement/keccak.hpp"

#include <cryptopp/keccak.h>

namespace provernet::settlement {

Hash256 keccak256(BytesView data)
{
    CryptoPP::Keccak_256 hash;
    hash.Update(data.data(), data.size());
    Hash256 out;
    hash.Final(out.data());
    return out;
}

}  // namespace provernet::settlement
