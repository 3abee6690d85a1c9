// netsim::Naf — the NAF / authentication proxy in front of the XCAP server
// (TS 33.222 with TS 33.141's TLS): TLS with the TS 33.141 suites, GBA Digest
// with realm "3GPP-bootstrapping@<NAF>" where the password is base64(Ks_NAF)
// fetched from the BSF (Zn) for the B-TID and the NAF_Id built with the suite
// this connection negotiated; the user's identity asserted to the XCAP
// server (X-3GPP-Asserted-Identity, taken from X-3GPP-Intended-Identity).
// Switches: demand re-authentication, refuse every B-TID issued so far.
#pragma once

#include <atomic>
#include <memory>
#include <set>
#include <string>

#include "bsf.hpp"
#include "http_server.hpp"
#include "xcap_server.hpp"

namespace netsim {

class Naf {
 public:
  struct Options {
    std::string host = "naf.example.test";  // NAF FQDN: realm and NAF_Id
    StreamServer::Options server;            // TLS by default (cert_file, key_file needed)
    // Refuse (403) requests whose User-Agent lacks the 3gpp-gba product token.
    bool require_gba_user_agent = true;
  };

  // `bsf` and `xcap` must outlive the NAF.
  static utkit::Result<std::unique_ptr<Naf>> start(Options options, Bsf& bsf, XcapServer& xcap);

  // Stops the server first: its threads use the members below.
  ~Naf() {
    if (http_) http_->stop();
  }
  std::uint16_t port() const { return http_->port(); }
  // Every nonce issued so far becomes stale: the next request is challenged.
  void demand_reauthentication() { guard_.expire_nonces(); }
  // B-TIDs seen so far are refused from now on (as after a NAF-side purge):
  // the client must bootstrap again.
  void refuse_known_btids();
  // With true, a refused B-TID gets a bare 401 with no WWW-Authenticate (not
  // allowed by RFC 9110, but seen from NAFs).
  void set_bare_401(bool on) { bare_401_ = on; }
  std::size_t authentications() const { return authentications_; }
  std::size_t requests() const { return http_->requests(); }
  std::string last_user_agent() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_user_agent_;
  }
  // A header of the last request ("" when absent), for tests of what clients send.
  std::string last_header(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string* v = last_headers_.find(name);
    return v != nullptr ? *v : std::string();
  }

 private:
  Naf(Options o, Bsf& bsf, XcapServer& xcap);
  HttpReply handle(const HttpRequest& req);

  Options opt_;
  Bsf& bsf_;
  XcapServer& xcap_;
  DigestGuard guard_;
  std::unique_ptr<HttpServer> http_;
  mutable std::mutex mu_;
  std::set<std::string> seen_, refused_;
  std::string last_user_agent_;
  utkit::http::Headers last_headers_;
  std::atomic<std::size_t> authentications_{0};
  std::atomic<bool> bare_401_{false};
};

}  // namespace netsim
