#pragma once
#include <string>
#include <vector>

namespace utcli {
extern const char* kTlsProbeHelp;
// Exit codes: 0 connected, 2 usage, 3 configuration, 4 connection/TLS failure.
int tls_probe(const std::vector<std::string>& args, bool as_json);
}  // namespace utcli
