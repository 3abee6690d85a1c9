#pragma once
#include <string>
#include <vector>

#include "config.hpp"

namespace utcli {
// buddies list|add|remove, rules allow|block, xcap get|put|delete (docs/cli.md).
int ut_command(Config& config, const std::string& command, const std::vector<std::string>& args, bool as_json,
               bool verbose);
}  // namespace utcli
