#include "naf.hpp"

#include "utkit/base/encoding.hpp"
#include "utkit/gba/kdf.hpp"
#include "utkit/http/digest.hpp"

namespace netsim {

using namespace utkit;

Naf::Naf(Options o, Bsf& bsf, XcapServer& xcap)
    : opt_(std::move(o)), bsf_(bsf), xcap_(xcap),
      guard_({"3GPP-bootstrapping@" + opt_.host, "MD5", "auth", false, true, false, ""}) {}

Result<std::unique_ptr<Naf>> Naf::start(Options o, Bsf& bsf, XcapServer& xcap) {
  std::unique_ptr<Naf> n(new Naf(std::move(o), bsf, xcap));
  Naf* raw = n.get();
  UTKIT_ASSIGN(n->http_, HttpServer::start(n->opt_.server, [raw](const HttpRequest& r) { return raw->handle(r); }));
  return n;
}

void Naf::refuse_known_btids() {
  std::lock_guard<std::mutex> lock(mu_);
  refused_.insert(seen_.begin(), seen_.end());
  guard_.expire_nonces();
}

HttpReply Naf::handle(const HttpRequest& req) {
  // NAF_Id = FQDN || Ua protocol id: TLS with shared-key Digest and the negotiated suite (TS 33.220 Annex H).
  const gba::UaProtocolId ua = req.tls_suite ? gba::ua_tls_digest(req.tls_suite) : gba::ua_http_digest();
  const Bytes naf_id = gba::naf_id(opt_.host, ua);
  const std::string* agent = req.headers.find("User-Agent");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (agent != nullptr) last_user_agent_ = *agent;
    last_headers_ = req.headers;
  }
  if (opt_.require_gba_user_agent) {
    // TS 24.109 / 33.222: a GBA client names the "3gpp-gba" product token;
    // this proxy, like some operators', serves GBA to no one else.
    bool announced = false;
    if (agent != nullptr) {
      for (std::size_t at = agent->find("3gpp-gba"); at != std::string::npos; at = agent->find("3gpp-gba", at + 1)) {
        std::size_t end = at + 8;
        if (agent->compare(end, 5, "-uicc") == 0) end += 5;
        const bool starts = at == 0 || (*agent)[at - 1] == ' ';
        const bool ends = end == agent->size() || (*agent)[end] == ' ' || (*agent)[end] == '/';
        if (starts && ends) announced = true;
      }
    }
    if (!announced) {
      return HttpReply::text(403, "this authentication proxy serves GBA clients only: no 3gpp-gba token in the User-Agent\n");
    }
  }
  if (bare_401_) {
    if (const std::string* auth = req.headers.find("Authorization"); auth && auth->rfind("Digest ", 0) == 0) {
      auto params = utkit::http::parse_auth_params(std::string_view(*auth).substr(7));
      std::string user;
      if (params) {
        for (auto& [k, v] : params.value()) {
          if (k == "username") user = v;
        }
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (refused_.count(user)) return HttpReply::text(401, "");
    }
  }
  auto out = guard_.check(req, [&](const std::string& btid, const std::string&) -> std::optional<std::string> {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (refused_.count(btid)) return std::nullopt;
    }
    auto key = bsf_.naf_key(btid, ByteView(naf_id));  // Zn
    if (!key) return std::nullopt;
    return base64_encode(key->ks_naf.view());
  });
  if (!out.authorized) return out.challenge;
  {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.insert(out.username);
  }
  ++authentications_;
  // The asserted identity: the intended one (a real proxy checks it against
  // the subscriber's IMPUs from the HSS/BSF).
  std::string asserted;
  if (const std::string* intended = req.headers.find("X-3GPP-Intended-Identity")) {
    asserted = *intended;
    if (asserted.size() >= 2 && asserted.front() == '"' && asserted.back() == '"') {
      asserted = asserted.substr(1, asserted.size() - 2);
    }
  }
  if (asserted.empty()) return HttpReply::text(403, "no X-3GPP-Intended-Identity\n");
  HttpReply reply = xcap_.handle(req, asserted);
  out.sign(reply);
  return reply;
}

}  // namespace netsim
