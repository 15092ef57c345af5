#include "settlement/bytes.hpp"

#include "settlement/errors.hpp"

#include <string>

namespace provernet::settlement {

Hash256 to_be_bytes(const math::U256& v)
{
    Hash256 out{};
    for (int limb = 0; limb < 4; ++limb)
        for (int b = 0; b < 8; ++b)
            out[31 - (limb * 8 + b)] = uint8_t(v.limb[limb] >> (8 * b));
    return out;
}

math::U256 u256_from_be(BytesView be)
{
    if (be.size() > 32)
        throw Error("u256_from_be: " + std::to_string(be.size()) + " bytes exceed 32");
    math::U256 r;
    for (size_t i = 0; i < be.size(); ++i) {
        const size_t pos = be.size() - 1 - i;  // byte index from the least significant end
        r.limb[pos / 8] |= uint64_t(be[i]) << (8 * (pos % 8));
    }
    return r;
}

Bytes minimal_be_bytes(const math::U256& v)
{
    const Hash256 full = to_be_bytes(v);
    size_t first = 0;
    while (first < full.size() && full[first] == 0)
        ++first;
    return Bytes(full.begin() + long(first), full.end());
}

}  // namespace provernet::settlement
