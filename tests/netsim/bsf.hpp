// netsim::Bsf — the local network's Bootstrapping Server Function (TS 33.220,
// TS 24.109): an HTTP(S) server on a StreamServer with its own AuC
// (netsim::Auc), a fresh RAND per challenge, Digest AKAv1-MD5 checked against
// XRES, AUTS resynchronisation (MAC-S verified, SQN moved, new vector), B-TID
// issuance with a lifetime, rspauth, and a Zn-like lookup that gives a NAF
// Ks_NAF for (B-TID, NAF_Id). Fault switches make it misbehave on purpose.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "auc.hpp"
#include "http_server.hpp"
#include "utkit/base/clock.hpp"
#include "utkit/base/random.hpp"
#include "utkit/base/secret.hpp"
#include "utkit/gba/kdf.hpp"

namespace netsim {

class Bsf {
 public:
  enum class Fault {
    none,
    bad_mac,          // the challenge's AUTN carries a wrong MAC (a forged network)
    sqn_out_of_range, // the AuC hands out an old SQN once (the USIM must resync)
    wrong_rspauth,    // Authentication-Info with a wrong rspauth
    no_rspauth,       // no Authentication-Info at all
    malformed_xml,    // a 200 whose body is not well-formed
    hostile_xml,      // a 200 whose body is a billion-laughs DOCTYPE
    expired_lifetime, // a B-TID whose lifetime is already over
    status_500,       // 500 with no body
    slow,             // answers after the delay in `slow_ms`
    cut,              // drops the connection without answering
    refuse_res,       // never accepts the AKA response
    foreign_btid,     // the 200 names a B-TID that is not base64(RAND)@host (a rewritten body)
    unavailable_after_auth,  // a valid AKA answer gets 503 (the HSS behind it is down)
    unsigned_foreign_host,   // no rspauth, and a B-TID base64(RAND)@another host (stripped and rewritten on path)
  };

  struct Options {
    std::string host = "bsf.example.test";  // realm and B-TID suffix
    std::chrono::seconds lifetime{3600};
    StreamServer::Options server = [] {     // plain http by default
      StreamServer::Options o;
      o.tls = false;
      return o;
    }();
    int slow_ms = 3000;
    std::string qop = "auth-int";  // what the AKA challenge offers (a BSF that does only "auth")
    bool md5_first = false;        // list a plain MD5 challenge before the AKA one
  };

  struct NafKey {
    utkit::SecretBytes ks_naf;
    std::string impi;
    utkit::WallTime expiry;
  };

  // `clock` and `random` must outlive the BSF; `auc` is taken over.
  static utkit::Result<std::unique_ptr<Bsf>> start(Options options, Auc auc, const utkit::Clock& clock,
                                                   utkit::Random& random);

  // Stops the server first: its threads use the members below.
  ~Bsf() {
    if (http_) http_->stop();
  }
  std::uint16_t port() const { return http_->port(); }
  void set_fault(Fault f) { fault_ = f; }
  // Zn: Ks_NAF for a B-TID and NAF_Id; errors when unknown or expired.
  utkit::Result<NafKey> naf_key(const std::string& btid, utkit::ByteView naf_id) const;
  // Forget every B-TID (a BSF restart, or an operator purge).
  void forget_all();

  std::size_t bootstraps() const { return bootstraps_; }
  std::size_t resyncs() const { return resyncs_; }
  std::size_t requests() const { return http_->requests(); }
  Auc& auc() { return auc_; }
  std::string last_user_agent() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_user_agent_;
  }

 private:
  struct Vector {
    std::string impi;
    utkit::Bytes rand;
    utkit::SecretBytes xres, ck, ik;
  };
  struct Session {
    std::string impi;
    utkit::SecretBytes ks;
    utkit::Bytes rand;
    utkit::WallTime expiry;
  };

  Bsf(Options o, Auc auc, const utkit::Clock& clock, utkit::Random& random);
  HttpReply handle(const HttpRequest& req);
  HttpReply new_challenge(const std::string& impi);

  Options opt_;
  Auc auc_;
  const utkit::Clock& clock_;
  utkit::Random& random_;
  DigestGuard guard_;
  std::unique_ptr<HttpServer> http_;
  std::atomic<Fault> fault_{Fault::none};
  mutable std::mutex mu_;
  std::map<std::string, Vector> vectors_;   // nonce -> vector
  std::map<std::string, Session> sessions_; // B-TID -> context
  std::string last_user_agent_;
  std::atomic<std::size_t> bootstraps_{0}, resyncs_{0};
};

}  // namespace netsim
