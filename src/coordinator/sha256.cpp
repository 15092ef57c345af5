#include "coordinator/sha256.hpp"

#include "settlement/hex.hpp"

#include <openssl/evp.h>

namespace provernet::coordinator {

std::string sha256_hex(std::string_view text)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(text.data(), text.size(), digest, &n, EVP_sha256(), nullptr);
    return settlement::to_hex(settlement::BytesView(digest, n)).substr(2);  // without the 0x
}

}  // namespace provernet::coordinator
