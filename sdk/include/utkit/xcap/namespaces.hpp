// utkit/xcap/namespaces.hpp — XML namespaces shared by several XCAP
// application usages.
#pragma once

namespace utkit::xcap {

// RFC 4745 common policy: the rules of pres-rules and of simservs.
inline constexpr char kCommonPolicyNs[] = "urn:ietf:params:xml:ns:common-policy";

}  // namespace utkit::xcap
