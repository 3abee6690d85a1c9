// Operator profiles: presets, the XCAP root derived from the IMSI (TS 23.003
// 13.9), and what a profile puts into a UtConfig.
#include <doctest/doctest.h>

#include "utkit/ut/operator_profile.hpp"
#include "utkit/ut/session.hpp"

using namespace utkit;
using namespace utkit::ut;

namespace {
aka::UsimIdentity identity(std::string imsi, int mnc_length) {
  aka::UsimIdentity id;
  id.imsi = std::move(imsi);
  id.mnc_length = mnc_length;
  id.home_domain = "ims.mnc001.mcc001.3gppnetwork.org";
  id.impus = {"sip:alice@ims.example.net", "tel:+15550123"};
  return id;
}
}  // namespace

TEST_CASE("operator profile: the XCAP root from the IMSI, TS 23.003 13.9") {
  CHECK(xcap_root_for(identity("001010123456789", 2)).value() == "https://xcap.ims.mnc001.mcc001.pub.3gppnetwork.org");
  CHECK(xcap_root_for(identity("310150123456789", 3)).value() == "https://xcap.ims.mnc150.mcc310.pub.3gppnetwork.org");
  CHECK(xcap_root_for(identity("262010123456789", 2), false, 8080, "/xcap-root").value() ==
        "http://xcap.ims.mnc001.mcc262.pub.3gppnetwork.org:8080/xcap-root");
  CHECK(xcap_root_for(identity("262010123456789", 0)).error().code() == Errc::config_missing);
  CHECK(xcap_root_for(identity("", 2)).error().code() == Errc::config_missing);
}

TEST_CASE("operator profile: presets fill a UtConfig") {
  REQUIRE(OperatorProfile::presets().size() >= 2);
  CHECK(OperatorProfile::preset("nope").error().code() == Errc::config_invalid);
  CHECK(OperatorProfile::preset("nope").error().message().find("3gpp") != std::string::npos);

  UtConfig c;
  auto spec = OperatorProfile::preset("3gpp");
  REQUIRE(spec.ok());
  REQUIRE(apply(*spec, identity("001010123456789", 2), c).ok());
  CHECK(c.xcap_root == "https://xcap.ims.mnc001.mcc001.pub.3gppnetwork.org");
  CHECK(c.quote_intended_identity);
  CHECK(c.simservs.element_writes);
  CHECK(c.simservs.disable == xcap::DisableMethod::rule_deactivated);

  UtConfig d;
  auto doc = OperatorProfile::preset("document-writes");
  REQUIRE(doc.ok());
  doc->auid_prefix = "/ut/";
  doc->headers = {{"X-Operator-Client", "handset"}};
  REQUIRE(apply(*doc, identity("001010123456789", 2), d).ok());
  CHECK(d.xcap_root == "https://xcap.ims.mnc001.mcc001.pub.3gppnetwork.org/ut");
  CHECK_FALSE(d.quote_intended_identity);
  CHECK(d.xui == "tel:+15550123");  // the tel: IMPU, as the profile asks
  CHECK_FALSE(d.simservs.element_writes);
  CHECK(d.simservs.document_type == "application/vnd.etsi.simservs+xml");
  CHECK(d.simservs.numbers == xcap::NumberFormat::e164_tel);
  CHECK(d.simservs.number_domain == "ims.mnc001.mcc001.3gppnetwork.org");
  REQUIRE(d.http.headers.size() == 1);

  // A root the configuration already has is kept (no IMSI needed), with the prefix.
  UtConfig given;
  given.xcap_root = "https://xcap.example.net/root/";
  aka::UsimIdentity impi_only;
  impi_only.impi = "alice@ims.example.net";
  REQUIRE(apply(*doc, impi_only, given).ok());
  CHECK(given.xcap_root == "https://xcap.example.net/root/ut");
  UtConfig none;
  CHECK(apply(*spec, impi_only, none).error().code() == Errc::config_missing);

  OperatorProfile bad;
  bad.xcap_root = "https://x/r";
  bad.auid_prefix = "a?b";
  CHECK(apply(bad, identity("001010123456789", 2), d).error().code() == Errc::config_invalid);
}
