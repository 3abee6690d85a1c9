// utkit/base/encoding.hpp — hex and base64 (base64 through mbedTLS).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "utkit/base/bytes.hpp"
#include "utkit/base/result.hpp"
#include "utkit/base/secret.hpp"

namespace utkit {

// Lower-case hex, no separators.
std::string to_hex(ByteView data);
// A number in hex, zero-padded to at least `min_digits` ("%08x", "%04X").
std::string hex_number(std::uint64_t value, int min_digits = 1, bool upper = false);
// A non-negative number in decimal, zero-padded to at least `min_digits` ("%04d").
std::string padded_decimal(std::uint64_t value, int min_digits);
// Accepts upper or lower case; refuses odd lengths and non-hex characters.
Result<Bytes> from_hex(std::string_view hex);
// from_hex into wiping storage; the error message never echoes the input.
Result<SecretBytes> secret_from_hex(std::string_view hex);
// from_hex that also checks the decoded length (e.g. 16 for K). `what` names
// the field in the error message ("USIM key K").
Result<SecretBytes> secret_from_hex(std::string_view hex, std::size_t expected_len, std::string_view what);

// RFC 4648 base64 with padding.
std::string base64_encode(ByteView data);
// The ASCII text of base64(data), in wiping storage (a Digest password from a key).
SecretBytes base64_encode_secret(ByteView data);
// Refuses characters outside the alphabet, bad padding and truncated input.
Result<Bytes> base64_decode(std::string_view text);

}  // namespace utkit
