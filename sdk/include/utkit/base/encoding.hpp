// utkit/base/encoding.hpp — hex and base64 (base64 through mbedTLS).
#pragma once

#include <cstdint>
#include <optional>
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
// A whole decimal number in [0, max]: digits only (no sign, no space, no
// suffix), nothing when the text is anything else or out of range.
std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max);
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

// Text from the network or from storage, checked and made safe to show.
//
// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF. XML documents, B-TIDs and JSON output need it.
bool valid_utf8(std::string_view text);
// For a terminal or a log line: valid UTF-8 characters that print are kept;
// C0 controls (CR, LF, ESC included), DEL, C1 controls, bidirectional
// overrides and isolates, and bytes that are not UTF-8 become "\xNN", and a backslash becomes "\\". Nothing that came from a
// server can then move the cursor, clear the screen or forge a line.
std::string printable_text(std::string_view text);
// As printable_text, but only printable ASCII is kept (for error messages
// that quote foreign input).
std::string printable_ascii(std::string_view text);

}  // namespace utkit
