#pragma once
#include <string>
#include <vector>

namespace utcli {
extern const char* kHttpHelp;
// Exit codes: 0 2xx/3xx, 2 usage, 3 configuration, 4 connection/TLS/HTTP
// failure, 5 authentication failure, 6 a 4xx/5xx status.
int http_command(const std::vector<std::string>& args, bool as_json);
}  // namespace utcli
