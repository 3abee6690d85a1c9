#include "utkit/base/transport.hpp"

namespace utkit {

std::string Endpoint::to_string() const {
  std::string s;
  if (host.find(':') != std::string::npos) {
    s = "[" + host + "]";
  } else {
    s = host;
  }
  s += ":" + std::to_string(port);
  return s;
}

}  // namespace utkit
