// utkit/base/xml_limits.hpp — what an XML document from the network may cost.
//
// Every document the SDK reads (BootstrappingInfo, resource-lists,
// pres-rules, rls-services, simservs, xcap-error, xcap-caps) goes through one
// guard that refuses, with a clear error, a document over these limits before
// any DOM is built. The DOM costs about 140 bytes of heap per element (a
// 4 MiB document of 520,000 empty elements took 73 MiB), so the element
// count, with the attributes per element (64, counted in the same pass before
// parsing), bounds the memory; 50,000 holds a buddy list of 10,000 entries
// with display names several times over. Depth (64 levels) is fixed.
#pragma once

#include <cstddef>

namespace utkit {

struct XmlLimits {
  std::size_t max_bytes = std::size_t{4} << 20;
  std::size_t max_elements = 50000;
};

}  // namespace utkit
