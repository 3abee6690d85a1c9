#include "auc.hpp"

#include <nlohmann/json.hpp>

#include <cinttypes>
#include <cstdio>

#include "utkit/base/encoding.hpp"

namespace netsim {

using utkit::Errc;
using utkit::Error;
using utkit::Result;
using json = nlohmann::json;

namespace {
std::string hex48(std::uint64_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "%012" PRIx64, v);
  return b;
}
}  // namespace

Result<Auc> Auc::from_json(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("subscribers") || !doc["subscribers"].is_array()) {
    return Error(Errc::config_invalid, "subscriber database must be a JSON object with a 'subscribers' array");
  }
  Auc auc;
  std::size_t i = 0;
  for (const json& s : doc["subscribers"]) {
    const std::string where = "subscribers[" + std::to_string(i++) + "]";
    auto str = [&](const char* key) -> std::string {
      return s.contains(key) && s[key].is_string() ? s[key].get<std::string>() : std::string();
    };
    Subscriber sub;
    sub.impi = str("impi");
    sub.imsi = str("imsi");
    if (sub.impi.empty()) return Error(Errc::config_invalid, where + ".impi is missing");
    auto k = utkit::secret_from_hex(str("k"), 16, where + ".k");
    if (!k) return std::move(k).error();
    sub.k = std::move(k).value();
    if (!str("opc").empty()) {
      auto opc = utkit::secret_from_hex(str("opc"), 16, where + ".opc");
      if (!opc) return std::move(opc).error();
      sub.opc = std::move(opc).value();
    } else {
      auto op = utkit::secret_from_hex(str("op"), 16, where + ".op");
      if (!op) return std::move(op).error();
      auto opc = utkit::aka::Milenage::compute_opc(sub.k.view(), op->view());
      if (!opc) return std::move(opc).error();
      sub.opc = std::move(opc).value();
    }
    auto amf = utkit::from_hex(str("amf").empty() ? "8000" : str("amf"));
    if (!amf || amf->size() != 2) return Error(Errc::config_invalid, where + ".amf must be 4 hex digits");
    sub.amf = amf.value();
    if (!str("sqn").empty()) {
      auto sqn = utkit::from_hex(str("sqn"));
      if (!sqn || sqn->size() != 6) return Error(Errc::config_invalid, where + ".sqn must be 12 hex digits");
      sub.sqn = utkit::get_be48(sqn->data());
    }
    auc.subs_.push_back(std::move(sub));
  }
  return auc;
}

std::string Auc::to_json() const {
  std::lock_guard<std::mutex> lock(mu_);
  json arr = json::array();
  for (const Subscriber& s : subs_) {
    json j = {{"impi", s.impi},
              {"k", utkit::to_hex(s.k.view())},
              {"opc", utkit::to_hex(s.opc.view())},
              {"amf", utkit::to_hex(utkit::ByteView(s.amf))},
              {"sqn", hex48(s.sqn)}};
    if (!s.imsi.empty()) j["imsi"] = s.imsi;
    arr.push_back(j);
  }
  return json{{"subscribers", arr}}.dump(2) + "\n";
}

Subscriber* Auc::find(const std::string& impi) {
  for (Subscriber& s : subs_) {
    if (s.impi == impi) return &s;
  }
  return nullptr;
}

const Subscriber* Auc::find(const std::string& impi) const { return const_cast<Auc*>(this)->find(impi); }

bool Auc::has(const std::string& impi) const {
  std::lock_guard<std::mutex> lock(mu_);
  return find(impi) != nullptr;
}

std::uint64_t Auc::sqn_of(const std::string& impi) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Subscriber* s = find(impi);
  return s ? s->sqn : 0;
}

void Auc::rewind(const std::string& impi) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Subscriber* s = find(impi)) s->sqn = 0;
}

Result<utkit::aka::AuthVector> Auc::next_vector(const std::string& impi, utkit::Random& random) {
  std::lock_guard<std::mutex> lock(mu_);
  Subscriber* s = find(impi);
  if (!s) return Error(Errc::auth_failed, "unknown subscriber '" + impi + "'");
  UTKIT_ASSIGN(utkit::Bytes rand, random.bytes(16));
  const std::uint64_t seq = (s->sqn >> 5) + 1;
  const std::uint64_t ind = ((s->sqn & 31) + 1) & 31;
  const std::uint64_t sqn = ((seq << 5) | ind) & utkit::aka::kSqnMask;
  UTKIT_ASSIGN(auto m, utkit::aka::Milenage::create(s->k.view(), s->opc.view()));
  UTKIT_ASSIGN(auto v, m.generate(utkit::ByteView(rand), sqn, utkit::ByteView(s->amf)));
  s->sqn = sqn;
  return v;
}

Result<std::uint64_t> Auc::resync(const std::string& impi, utkit::ByteView rand, utkit::ByteView auts) {
  std::lock_guard<std::mutex> lock(mu_);
  Subscriber* s = find(impi);
  if (!s) return Error(Errc::auth_failed, "unknown subscriber '" + impi + "'");
  UTKIT_ASSIGN(auto m, utkit::aka::Milenage::create(s->k.view(), s->opc.view()));
  UTKIT_ASSIGN(std::uint64_t sqn_ms, m.resync(rand, auts));
  s->sqn = sqn_ms;
  return sqn_ms;
}

}  // namespace netsim
