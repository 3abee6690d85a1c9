// libFuzzer target: every XML document the SDK reads from the network —
// BootstrappingInfo, resource-lists, pres-rules, rls-services, xcap-caps,
// xcap-error, simservs (read, then every kind of edit on what was read).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "utkit/gba/context.hpp"
#include "utkit/xcap/pres_rules.hpp"
#include "utkit/xcap/resource_lists.hpp"
#include "utkit/xcap/simservs.hpp"

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
  if (auto ss = xcap::Simservs::parse(xml)) {
    (void)ss->forwarding_rules();
    (void)ss->barring_rules(true);
    (void)ss->barring_rules(false);
    (void)ss->no_reply_timer();
    xcap::ForwardingChange ch;
    ch.condition = static_cast<xcap::ForwardCondition>(size % 5);
    ch.enable = (size & 8) != 0;
    ch.target = "tel:+15550100";
    ch.no_reply_timer = ch.condition == xcap::ForwardCondition::no_reply ? std::optional<int>(25) : std::nullopt;
    ch.disable = (size & 16) != 0 ? xcap::DisableMethod::delete_rule : xcap::DisableMethod::rule_deactivated;
    (void)ss->set_forwarding(ch);
    (void)ss->set_barring(static_cast<xcap::BarringCondition>(size % 6), (size & 32) != 0,
                          static_cast<xcap::DisableMethod>((size >> 6) % 3));
    (void)ss->set_restricted(xcap::Service::oir, (size & 1) != 0);
    (void)ss->set_active(xcap::Service::communication_waiting, (size & 2) != 0);
    const std::string edited = ss->serialize();
    if (edited.size() < (std::size_t{1} << 20) && !xcap::Simservs::parse(edited)) __builtin_trap();  // an edit must read back
  }
  return 0;
}
