#include "utkit/base/transport.hpp"
#include "text.hpp"

namespace utkit {

std::string Endpoint::to_string() const {
  std::string s;
  if (host.find(':') != std::string::npos) {
    s = format("[{}]", {host});
  } else {
    s = host;
  }
  cat_append(s, {":", Dec(port)});
  return s;
}

}  // namespace utkit
