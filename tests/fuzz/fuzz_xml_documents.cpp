// libFuzzer target: every XML document the SDK reads from the network —
// BootstrappingInfo, resource-lists, pres-rules, rls-services, xcap-caps,
// xcap-error.
#include <cstdint>
#include <string_view>

#include "utkit/gba/context.hpp"
#include "utkit/xcap/pres_rules.hpp"
#include "utkit/xcap/resource_lists.hpp"

using namespace utkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  (void)gba::parse_bootstrapping_info(xml);
  if (auto rl = xcap::ResourceLists::parse(xml)) {
    for (const auto& name : rl->list_names()) {
      (void)rl->entries(name);
      (void)rl->entry_refs(name);
    }
    (void)rl->serialize();
  }
  if (auto pr = xcap::PresRules::parse(xml)) (void)pr->decision_for("sip:a@b");
  (void)xcap::parse_rls_services(xml);
  (void)xcap::parse_xcap_caps(xml);
  (void)xcap::parse_xcap_error(xml);
  (void)gba::parse_xsd_datetime(xml);
  return 0;
}
