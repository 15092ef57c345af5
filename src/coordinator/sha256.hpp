// SHA-256 of a text as 64 lowercase hex digits (OpenSSL): the key of stored request inputs.
#pragma once

#include <string>
#include <string_view>

namespace provernet::coordinator {

std::string sha256_hex(std::string_view text);

}  // namespace provernet::coordinator
