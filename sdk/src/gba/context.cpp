#include "utkit/gba/context.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "utkit/base/encoding.hpp"
#include "../base/lines.hpp"
#include "../base/xml_load.hpp"
#include "../base/text.hpp"

namespace utkit::gba {

using namespace std::string_view_literals;
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

constexpr std::string_view kMagic = "utkit-gba-context 1";

// The range a stored or received lifetime may take: 1970-2200 (as
// parse_xsd_datetime), which also keeps the nanosecond clock from overflowing.
constexpr std::uint64_t kMaxEpochSeconds = 7258118400;  // 2200-01-01T00:00:00Z

// A stored time: Unix seconds in decimal, 1970-2200, nothing else.
std::optional<WallTime> stored_time(std::string_view value) {
  const auto v = parse_decimal(value, kMaxEpochSeconds);
  if (!v) return std::nullopt;
  return WallTime{} + std::chrono::seconds(static_cast<std::int64_t>(*v));
}

}  // namespace

Result<void> check_btid(std::string_view btid) {
  // TS 33.220 4.5.2: B-TID = base64(RAND) "@" BSF server name: printable
  // ASCII, which is also what a Digest user name and a log line can carry.
  if (btid.empty()) return Error(Errc::gba_bad_bootstrapping_info, "the B-TID is empty");
  if (btid.size() > 255 || btid.find('@') == std::string_view::npos) {
    return make_error(Errc::gba_bad_bootstrapping_info, "B-TID '{}' is not base64(RAND)@BSF",
                      {printable_ascii(btid.substr(0, 80))});
  }
  for (char c : btid) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      return make_error(Errc::gba_bad_bootstrapping_info,
                        "B-TID '{}' contains a character outside printable ASCII (or a quote or backslash); refused",
                        {printable_ascii(btid.substr(0, 80))});
    }
  }
  return success();
}

std::chrono::seconds BootstrapContext::effective_margin(std::chrono::seconds margin) const {
  if (issued == WallTime{} || expiry <= issued) return margin;
  const auto quarter = std::chrono::duration_cast<std::chrono::seconds>(expiry - issued) / 4;
  return std::min(margin, quarter);
}

bool BootstrapContext::valid_at(WallTime now, std::chrono::seconds margin) const {
  return !btid.empty() && (uicc || ks.size() == 32) && now + effective_margin(margin) < expiry;
}

BootstrapContext BootstrapContext::clone() const {
  return BootstrapContext{btid, ks.clone(), rand, impi, expiry, issued, bsf_host, uicc};
}

Result<WallTime> parse_xsd_datetime(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || s[10] != 'T' || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) ||
      s[16] != ':' || !digits(s, 17, 2, sec) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec > 60) {
    return make_error(Errc::gba_bad_bootstrapping_info, "'{}' is not an xsd:dateTime", {s.substr(0, 40)});
  }
  if (y < 1970 || y > 2200) {  // also keeps the nanosecond clock from overflowing
    return make_error(Errc::gba_bad_bootstrapping_info, "year {} in '{}' is out of range (1970-2200)",
                      {Dec(y), s.substr(0, 40)});
  }
  // Days per month, leap years by the Gregorian rule: 2027-02-31 is no date
  // (it would otherwise roll over to March 3).
  static constexpr std::uint8_t kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[mo - 1] + (mo == 2 && leap ? 1 : 0)) {
    return make_error(Errc::gba_bad_bootstrapping_info, "'{}' names a day that month does not have", {s.substr(0, 40)});
  }
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
  }
  int offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      // UTC
    } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
      int oh, om;
      if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + 4, 2, om) || oh > 14 || om > 59) {
        return make_error(Errc::gba_bad_bootstrapping_info, "bad time zone in '{}'", {s});
      }
      offset_min = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
    } else {
      return make_error(Errc::gba_bad_bootstrapping_info, "bad time zone in '{}'", {s.substr(0, 40)});
    }
  }
  const std::int64_t secs = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                            std::int64_t{h} * 3600 + std::int64_t{mi} * 60 + sec - std::int64_t{offset_min} * 60;
  return WallTime{} + std::chrono::seconds(secs);
}

std::string format_xsd_datetime(WallTime t) {
  const std::int64_t secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t rem = secs - days * 86400;
  // civil_from_days
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  const auto n = [](std::int64_t v, int w) { return padded_decimal(static_cast<std::uint64_t>(v), w); };
  return format("{}-{}-{}T{}:{}:{}Z",
                {n(y, 4), n(m, 2), n(d, 2), n(rem / 3600, 2), n(rem % 3600 / 60, 2), n(rem % 60, 2)});
}

Result<BootstrappingInfo> parse_bootstrapping_info(std::string_view xml) {
  pugi::xml_document doc;
  UTKIT_TRY(utkit::detail::load_untrusted_xml(doc, xml, "BootstrappingInfo", std::size_t{16} * 1024, Errc::gba_bad_bootstrapping_info));
  pugi::xml_node root = doc.document_element();
  auto local = [](const char* name) -> std::string_view {
    const char* colon = std::strchr(name, ':');
    return colon ? colon + 1 : name;
  };
  if (local(root.name()) != "BootstrappingInfo"sv) {
    return make_error(Errc::gba_bad_bootstrapping_info, "expected a BootstrappingInfo document, got <{}>",
                      {root.name()});
  }
  BootstrappingInfo info;
  bool have_lifetime = false, have_btid = false;
  for (pugi::xml_node n : root.children()) {
    if (n.type() != pugi::node_element) continue;
    const std::string_view name = local(n.name());
    const int which = name_index("btid\0lifetime\0", name);  // other elements are ignored
    if (which < 0) continue;
    // One of each (TS 24.109 Annex C): two are ambiguous, never "take the last".
    if (which == 0 ? have_btid : have_lifetime) {
      return make_error(Errc::gba_bad_bootstrapping_info, "BootstrappingInfo has more than one <{}>; refused", {name});
    }
    // The element's text without the white space around it.
    std::string_view text = n.text().get();
    constexpr const char* kSpace = " \n\r\t";
    const std::size_t first = text.find_first_not_of(kSpace);
    text = first == std::string_view::npos ? std::string_view()
                                           : text.substr(first, text.find_last_not_of(kSpace) - first + 1);
    if (which == 0) {
      info.btid = std::string(text);
      have_btid = true;
    } else {
      UTKIT_ASSIGN(info.lifetime, parse_xsd_datetime(text));
      have_lifetime = true;
    }
  }
  if (info.btid.empty()) return Error(Errc::gba_bad_bootstrapping_info, "BootstrappingInfo has no btid");
  UTKIT_TRY(check_btid(info.btid));
  if (!have_lifetime) return Error(Errc::gba_bad_bootstrapping_info, "BootstrappingInfo has no lifetime");
  return info;
}

SecretBytes BootstrapContext::serialize() const {
  std::string s(kMagic);
  cat_append(s, {"\nbtid ", btid, "\nimpi ", impi, "\nbsf ", bsf_host, "\nrand ", to_hex(ByteView(rand)), "\nexpiry ",
                 Dec(std::chrono::duration_cast<std::chrono::seconds>(expiry.time_since_epoch()).count()), "\nissued ",
                 Dec(std::chrono::duration_cast<std::chrono::seconds>(issued.time_since_epoch()).count()), "\nuicc ",
                 (uicc ? "1" : "0"), "\nks "});
  std::string ks_hex = to_hex(ks.view());
  cat_append(s, {ks_hex, "\n"});
  SecretBytes out(ByteView::of(s));
  secure_wipe(ks_hex);
  secure_wipe(s);
  return out;
}

Result<BootstrapContext> BootstrapContext::parse(ByteView record) {
  auto bad = [](const char* why) {
    return make_error(Errc::storage_corrupt, {"stored bootstrapping context is unreadable: ", why});
  };
  // Views into the record: it holds Ks, and no unwiped copy is made.
  detail::Lines lines(record.as_string());
  std::string_view line;
  if (!lines.next(line) || line != kMagic) return bad("unknown format");
  BootstrapContext c;
  bool have_expiry = false;
  while (lines.next(line)) {
    std::string_view key, value;
    detail::split_key_value(line, key, value);
    switch (name_index("btid\0impi\0bsf\0rand\0expiry\0issued\0uicc\0ks\0", key)) {
      case 0:
        if (!check_btid(value)) return bad("bad btid");
        c.btid = std::string(value);
        break;
      case 1:
        c.impi = std::string(value);
        break;
      case 2:
        c.bsf_host = std::string(value);
        break;
      case 3: {
        auto r = from_hex(value);
        if (!r || r->size() != 16) return bad("bad rand");
        c.rand = r.value();
        break;
      }
      case 4: {
        auto t = stored_time(value);
        if (!t) return bad("expiry out of range");
        c.expiry = *t;
        have_expiry = true;
        break;
      }
      case 5: {
        auto t = stored_time(value);
        if (!t) return bad("issue time out of range");
        c.issued = *t;
        break;
      }
      case 6:
        c.uicc = value == "1";
        break;
      case 7: {
        if (value.empty()) break;  // GBA_U: Ks is in the card
        auto k = secret_from_hex(value);
        if (!k || k->size() != 32) return bad("bad ks");
        c.ks = std::move(k).value();
        break;
      }
      default:
        break;  // a later version's key: ignored
    }
  }
  if (c.btid.empty() || c.impi.empty() || (c.ks.empty() && !c.uicc) || c.rand.empty() || !have_expiry) {
    return bad("incomplete");
  }
  return c;
}

Result<std::string> bsf_host_for(const aka::UsimIdentity& id) {
  constexpr std::string_view kSuffix = ".3gppnetwork.org";
  if (id.from_isim && !id.home_domain.empty()) {
    std::string d = id.home_domain;
    if (d.size() > kSuffix.size() && d.compare(d.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0 &&
        d.find(".pub.3gppnetwork.org") == std::string::npos) {
      d = cat({d.substr(0, d.size() - kSuffix.size()), ".pub", kSuffix});
    }
    return cat({"bsf.", d});
  }
  if (id.imsi.empty() || (id.mnc_length != 2 && id.mnc_length != 3)) {
    return Error(Errc::config_missing, "cannot derive the BSF address: no ISIM domain and no IMSI with its MNC "
                                       "length; configure the BSF URL");
  }
  std::string mnc = id.imsi.substr(3, static_cast<std::size_t>(id.mnc_length));
  if (mnc.size() == 2) mnc.insert(mnc.begin(), '0');
  return format("bsf.mnc{}.mcc{}.pub.3gppnetwork.org", {mnc, id.imsi.substr(0, 3)});
}

}  // namespace utkit::gba
