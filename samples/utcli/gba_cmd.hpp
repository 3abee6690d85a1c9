#pragma once
#include <string>
#include <vector>

#include "config.hpp"

namespace utcli {
// utcli bootstrap [--force]: exit 0, 1 (failed), 3 (configuration), 4 (network), 5 (authentication).
int bootstrap_command(Config& config, const std::vector<std::string>& args, bool as_json, bool verbose);
}  // namespace utcli
