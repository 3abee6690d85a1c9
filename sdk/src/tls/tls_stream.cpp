#include "utkit/tls/tls_stream.hpp"

#include <mbedtls/error.h>
#include <mbedtls/sha256.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <cstdio>
#include <cstring>

#include "utkit/base/encoding.hpp"
#include "../base/text.hpp"

namespace utkit::tls {

// ---------------------------------------------------------------- context

struct TlsContext::Impl {
  mbedtls_ssl_config conf;
  mbedtls_x509_crt ca;
  mbedtls_x509_crt_profile crt_profile{};
  std::vector<int> suites;  // zero-terminated; must outlive conf
  // What a resumed session was authenticated against: the X.509 policy and a
  // hash of every trust anchor. Part of the session cache key, so that a
  // session made under anchors since removed (or a laxer policy) is never
  // resumed under the new ones.
  std::string trust_id;
  Impl() {
    mbedtls_ssl_config_init(&conf);
    mbedtls_x509_crt_init(&ca);
  }
  ~Impl() {
    mbedtls_ssl_config_free(&conf);
    mbedtls_x509_crt_free(&ca);
  }
};

namespace {

std::string mbedtls_text(int rc) {
  char buf[160];
  mbedtls_strerror(rc, buf, sizeof buf);
  return format("{} (-0x{})", {buf, hex_number(static_cast<unsigned>(-rc), 4, true)});
}

Result<void> load_trust(const TrustAnchors& t, mbedtls_x509_crt& ca) {
  if (t.ca_file.empty() && t.ca_dir.empty() && t.ca_pem.empty()) {
    return Error(Errc::tls_trust_config,
                 "no trust anchors: set a CA file, a CA directory or in-memory CA certificates "
                 "(the server must be authenticated, TS 33.141)");
  }
#if defined(MBEDTLS_FS_IO)
  if (!t.ca_file.empty()) {
    int rc = mbedtls_x509_crt_parse_file(&ca, t.ca_file.c_str());
    if (rc < 0)
      return make_error(Errc::tls_trust_config, "cannot load CA file '{}': {}", {t.ca_file, mbedtls_text(rc)});
  }
  if (!t.ca_dir.empty()) {
    int rc = mbedtls_x509_crt_parse_path(&ca, t.ca_dir.c_str());
    if (rc < 0)
      return make_error(Errc::tls_trust_config, "cannot load CA directory '{}': {}", {t.ca_dir, mbedtls_text(rc)});
  }
#else
  // An mbedTLS without a file system (an embedded build): anchors from memory.
  if (!t.ca_file.empty() || !t.ca_dir.empty()) {
    return Error(Errc::tls_trust_config, "this build has no file system (mbedTLS without MBEDTLS_FS_IO): give the CA "
                                         "certificates in memory (TrustAnchors::ca_pem), not as a file or directory");
  }
#endif
  for (std::size_t i = 0; i < t.ca_pem.size(); ++i) {
    const std::string& pem = t.ca_pem[i];
    // PEM needs its terminating NUL counted; DER is passed as is.
    const bool is_pem = pem.find("-----BEGIN") != std::string::npos;
    int rc = mbedtls_x509_crt_parse(&ca, reinterpret_cast<const unsigned char*>(pem.c_str()),
                                    is_pem ? pem.size() + 1 : pem.size());
    if (rc < 0) {
      return make_error(Errc::tls_trust_config, "in-memory CA certificate {} is unusable: {}",
                        {Dec(i), mbedtls_text(rc)});
    }
  }
  if (ca.version == 0) return Error(Errc::tls_trust_config, "the trust anchors hold no usable CA certificate");
  return success();
}

}  // namespace

TlsContext::TlsContext(TlsConfig config, const Clock& clock, TlsSessionCache* cache, const Logger* log)
    : config_(std::move(config)), clock_(clock), cache_(cache), log_(log), impl_(new Impl) {}

TlsContext::~TlsContext() = default;

Result<std::shared_ptr<TlsContext>> TlsContext::create(TlsConfig config, Random& random, const Clock& clock,
                                                       TlsSessionCache* cache, const Logger* log) {
  UTKIT_TRY(config.profile.validate());
  std::shared_ptr<TlsContext> ctx(new TlsContext(std::move(config), clock, cache, log));
  Impl& d = *ctx->impl_;
  const TlsConfig& c = ctx->config_;
  UTKIT_TRY(load_trust(c.trust, d.ca));
  {
    mbedtls_sha256_context h;
    mbedtls_sha256_init(&h);
    unsigned char sum[32];
    (void)mbedtls_sha256_starts_ret(&h, 0);
    for (const mbedtls_x509_crt* crt = &d.ca; crt != nullptr && crt->raw.p != nullptr; crt = crt->next) {
      (void)mbedtls_sha256_update_ret(&h, crt->raw.p, crt->raw.len);
    }
    (void)mbedtls_sha256_finish_ret(&h, sum);
    mbedtls_sha256_free(&h);
    d.trust_id = cat({(c.x509 == X509Policy::strict ? "strict:" : "legacy:"), to_hex(ByteView(sum, 12))});
  }

  int rc = mbedtls_ssl_config_defaults(&d.conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                       MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) return make_error(Errc::internal, {"mbedTLS configuration failed: ", mbedtls_text(rc)});

  // T7: the server is always authenticated.
  mbedtls_ssl_conf_authmode(&d.conf, MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_chain(&d.conf, &d.ca, nullptr);
  if (c.x509 == X509Policy::strict) {
    d.crt_profile.allowed_mds = MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA256) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) |
                                MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512);
    d.crt_profile.rsa_min_bitlen = 2048;
  } else {
    d.crt_profile.allowed_mds = MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA1) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA224) |
                                MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA256) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) |
                                MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512);
    d.crt_profile.rsa_min_bitlen = 1024;
  }
  d.crt_profile.allowed_pks = 0x0FFFFFFF;
  d.crt_profile.allowed_curves = MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP256R1) |
                                 MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP384R1) |
                                 MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP521R1);
  mbedtls_ssl_conf_cert_profile(&d.conf, &d.crt_profile);
  mbedtls_ssl_conf_rng(&d.conf, &Random::mbedtls_rng, &random);

  // T1-T5: exactly the profile's suites and versions. The Debian build drops
  // RC4 and 3DES from the *default* list only; naming them here brings them
  // back, and RC4 also needs ARC4 support switched on.
  bool rc4 = false;
  for (std::uint16_t id : c.profile.suites) {
    d.suites.push_back(id);
    rc4 = rc4 || id == suite::rsa_rc4_128_sha;
  }
  d.suites.push_back(0);
  mbedtls_ssl_conf_ciphersuites(&d.conf, d.suites.data());
  mbedtls_ssl_conf_arc4_support(&d.conf, rc4 ? MBEDTLS_SSL_ARC4_ENABLED : MBEDTLS_SSL_ARC4_DISABLED);
  mbedtls_ssl_conf_min_version(&d.conf, MBEDTLS_SSL_MAJOR_VERSION_3, static_cast<int>(c.profile.min_version));
  mbedtls_ssl_conf_max_version(&d.conf, MBEDTLS_SSL_MAJOR_VERSION_3, static_cast<int>(c.profile.max_version));

  // T9: RFC 3546 extensions.
  unsigned char mfl = MBEDTLS_SSL_MAX_FRAG_LEN_NONE;
  switch (c.max_fragment) {
    case MaxFragment::none: break;
    case MaxFragment::f512: mfl = MBEDTLS_SSL_MAX_FRAG_LEN_512; break;
    case MaxFragment::f1024: mfl = MBEDTLS_SSL_MAX_FRAG_LEN_1024; break;
    case MaxFragment::f2048: mfl = MBEDTLS_SSL_MAX_FRAG_LEN_2048; break;
    case MaxFragment::f4096: mfl = MBEDTLS_SSL_MAX_FRAG_LEN_4096; break;
  }
  if (mbedtls_ssl_conf_max_frag_len(&d.conf, mfl) != 0) {
    return Error(Errc::config_invalid, "unsupported max_fragment_length");
  }
  mbedtls_ssl_conf_truncated_hmac(&d.conf, c.truncated_hmac ? MBEDTLS_SSL_TRUNC_HMAC_ENABLED
                                                            : MBEDTLS_SSL_TRUNC_HMAC_DISABLED);
  mbedtls_ssl_conf_session_tickets(&d.conf, c.session_tickets ? MBEDTLS_SSL_SESSION_TICKETS_ENABLED
                                                              : MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
  mbedtls_ssl_conf_renegotiation(&d.conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
  return ctx;
}

// ---------------------------------------------------------------- stream

struct TlsStream::Impl {
  mbedtls_ssl_context ssl;
  Transport* inner = nullptr;
  // Every low-level read and write of a call (handshake, record, close_notify)
  // gets only the time left until this: a peer that sends a record a byte at
  // a time cannot stretch the call past its timeout.
  MonoTime deadline{};
  const Clock* clock = nullptr;
  std::optional<Error> io_error;  // the inner transport's error behind an mbedTLS I/O failure
  bool established = false;
  // The server's leaf certificate as seen during verification, so a refused
  // certificate can be described (mbedTLS drops it when verification fails).
  bool have_leaf = false;
  PeerCertificate leaf;
  std::string leaf_names;
  bool leaf_self_signed = false;

  Impl() { mbedtls_ssl_init(&ssl); }
  ~Impl() { mbedtls_ssl_free(&ssl); }

  void set_timeout(Millis timeout) { deadline = clock->monotonic_now() + timeout; }
  Millis timeout_now() const {
    auto left = std::chrono::duration_cast<Millis>(deadline - clock->monotonic_now());
    return left.count() > 0 ? left : Millis(0);
  }

  static int send_cb(void* p, const unsigned char* buf, std::size_t len) {
    auto* self = static_cast<Impl*>(p);
    auto r = self->inner->write(ByteView(buf, len), self->timeout_now());
    if (r.ok()) return static_cast<int>(len);
    const bool timeout = r.error().code() == Errc::net_timeout;
    self->io_error = std::move(r).error();
    return timeout ? MBEDTLS_ERR_SSL_TIMEOUT : MBEDTLS_ERR_NET_SEND_FAILED;
  }

  static int verify_cb(void* p, mbedtls_x509_crt* crt, int depth, std::uint32_t* flags);

  static int recv_cb(void* p, unsigned char* buf, std::size_t len) {
    auto* self = static_cast<Impl*>(p);
    auto r = self->inner->read(buf, len, self->timeout_now());
    if (r.ok()) return static_cast<int>(r.value());  // 0: EOF
    const bool timeout = r.error().code() == Errc::net_timeout;
    self->io_error = std::move(r).error();
    return timeout ? MBEDTLS_ERR_SSL_TIMEOUT : MBEDTLS_ERR_NET_RECV_FAILED;
  }
};

namespace {

// The alerts a server may send (RFC 5246 7.2): codes, and their names in
// one NUL-separated string in the same order (as a switch, GCC made this a
// 113-entry table of pointers).
const char* alert_name(int a) {
  static constexpr std::uint8_t kCodes[] = {0,  10, 20, 22, 40, 42, 43, 44, 45,  46,  47, 48,
                                            49, 50, 51, 70, 71, 80, 86, 90, 100, 110, 112};
  static constexpr char kNames[] =
      "close_notify\0unexpected_message\0bad_record_mac\0record_overflow\0handshake_failure\0bad_certificate\0"
      "unsupported_certificate\0certificate_revoked\0certificate_expired\0certificate_unknown\0illegal_parameter\0"
      "unknown_ca\0access_denied\0decode_error\0decrypt_error\0protocol_version\0insufficient_security\0"
      "internal_error\0inappropriate_fallback\0user_canceled\0no_renegotiation\0unsupported_extension\0"
      "unrecognized_name\0";
  for (std::size_t i = 0; i < std::size(kCodes); ++i) {
    if (kCodes[i] == a) return name_at(kNames, static_cast<int>(i));
  }
  return "unknown";
}

std::string dn(const mbedtls_x509_name& name) {
  char buf[512];
  int n = mbedtls_x509_dn_gets(buf, sizeof buf, &name);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

std::string time_text(const mbedtls_x509_time& t) {
  auto n = [](int v, int w) { return padded_decimal(static_cast<std::uint64_t>(v < 0 ? 0 : v), w); };
  return format("{}-{}-{} {}:{}:{}", {n(t.year, 4), n(t.mon, 2), n(t.day, 2), n(t.hour, 2), n(t.min, 2), n(t.sec, 2)});
}

// DNS names in the subjectAltName, else the CN: what the certificate is for.
std::string names_of(const mbedtls_x509_crt& crt) {
  std::string out;
  for (const mbedtls_x509_sequence* s = &crt.subject_alt_names; s != nullptr && s->buf.p != nullptr; s = s->next) {
    cat_append(out, {(out.empty() ? "" : ", "), std::string_view(reinterpret_cast<const char*>(s->buf.p), s->buf.len)});
  }
  if (out.empty()) out = dn(crt.subject);
  return out;
}

PeerCertificate summary(const mbedtls_x509_crt& crt) {
  PeerCertificate p;
  p.subject = dn(crt.subject);
  p.issuer = dn(crt.issuer);
  p.not_before = time_text(crt.valid_from);
  p.not_after = time_text(crt.valid_to);
  p.key_bits = static_cast<std::uint32_t>(mbedtls_pk_get_bitlen(&crt.pk));
  return p;
}

std::string offered(const TlsProfile& p) {
  std::string s;
  for (auto id : p.suites) cat_append(s, {(s.empty() ? "" : ", "), suite_name(id)});
  return format("{} over {}-{}", {s, to_string(p.min_version), to_string(p.max_version)});
}

Error certificate_error(const TlsStream::Impl& d, const std::string& host, const TlsConfig& cfg) {
  const std::uint32_t flags = mbedtls_ssl_get_verify_result(&d.ssl);
  const bool leaf = d.have_leaf;
  const std::string who = cat({"the certificate of ", host});
  if (flags & MBEDTLS_X509_BADCERT_EXPIRED) {
    return make_error(Errc::tls_cert_expired, "{} expired{} (or the device clock is wrong)",
                      {who, (leaf ? format(" on {} UTC", {d.leaf.not_after}) : "")});
  }
  if (flags & MBEDTLS_X509_BADCERT_FUTURE) {
    return make_error(Errc::tls_cert_not_yet_valid, "{} is not valid yet{} (or the device clock is wrong)",
                      {who, (leaf ? format(": it starts on {} UTC", {d.leaf.not_before}) : "")});
  }
  if (flags & (MBEDTLS_X509_BADCERT_BAD_KEY | MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_BAD_PK)) {
    std::string why = (flags & MBEDTLS_X509_BADCERT_BAD_KEY) ? "its key is too small" : "it is signed with a refused hash";
    if (leaf) cat_append(why, {" (", Dec(d.leaf.key_bits), "-bit key)"});
    return make_error(Errc::tls_cert_weak, "{} is too weak for the {} X.509 policy: {}{}",
                      {who, cfg.x509 == X509Policy::strict ? "strict" : "legacy", why,
                       (cfg.x509 == X509Policy::strict
                            ? "; the strict policy needs SHA-2 signatures and RSA >= 2048 (use the legacy policy only "
                              "for WAPCert-era servers you trust)"
                            : "")});
  }
  if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
    return make_error(Errc::tls_cert_wrong_host, "{} does not name '{}'{}",
                      {who, host, (leaf ? cat({": it is for ", d.leaf_names}) : std::string())});
  }
  if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
    if (leaf && d.leaf_self_signed) {
      return make_error(Errc::tls_cert_self_signed, "{} is self-signed ({}) and not among the trust anchors",
                        {who, d.leaf.subject});
    }
    return make_error(Errc::tls_cert_unknown_issuer,
                      "{} was issued by {}, which is not among the trust anchors (check the CA file)",
                      {who, (leaf ? format("'{}'", {d.leaf.issuer}) : std::string("a CA"))});
  }
  char info[512];
  int n = mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
  std::string text = n > 0 ? std::string(info, static_cast<std::size_t>(n)) : "unknown reason";
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return make_error(Errc::tls_cert_invalid, {who, " was refused: ", text});
}

}  // namespace

int TlsStream::Impl::verify_cb(void* p, mbedtls_x509_crt* crt, int depth, std::uint32_t* /*flags*/) {
  if (depth == 0 && crt != nullptr) {
    auto* self = static_cast<Impl*>(p);
    self->have_leaf = true;
    self->leaf = summary(*crt);
    self->leaf_names = names_of(*crt);
    self->leaf_self_signed = crt->issuer_raw.len == crt->subject_raw.len &&
                             std::memcmp(crt->issuer_raw.p, crt->subject_raw.p, crt->issuer_raw.len) == 0;
  }
  return 0;  // observe only; mbedTLS decides
}

TlsStream::TlsStream(std::shared_ptr<TlsContext> context, std::unique_ptr<Transport> inner)
    : ctx_(std::move(context)), inner_(std::move(inner)), impl_(new Impl) {
  impl_->inner = inner_.get();
  impl_->clock = &ctx_->clock();
}

TlsStream::~TlsStream() { close(); }

bool TlsStream::is_open() const { return impl_->established && inner_->is_open(); }

bool TlsStream::idle_clean() {
  if (!is_open()) return false;
  // Plaintext or a record already taken from the socket: not idle.
  if (mbedtls_ssl_get_bytes_avail(&impl_->ssl) != 0 || mbedtls_ssl_check_pending(&impl_->ssl) != 0) return false;
  return inner_->idle_clean();
}

Result<void> TlsStream::connect(const Endpoint& to, Millis timeout) {
  close();
  const MonoTime start = ctx_->clock().monotonic_now();
  UTKIT_TRY(inner_->connect(to, timeout));
  auto left = timeout - std::chrono::duration_cast<Millis>(ctx_->clock().monotonic_now() - start);
  return start_tls(to, left.count() > 0 ? left : Millis(1));
}

Result<void> TlsStream::start_tls(const Endpoint& to, Millis timeout) {
  if (impl_->established) close();
  // A fresh mbedTLS context for every connection.
  impl_.reset(new Impl);
  impl_->inner = inner_.get();
  impl_->clock = &ctx_->clock();
  Impl& d = *impl_;
  const TlsConfig& cfg = ctx_->config();
  const std::string host = server_name_.empty() ? to.host : server_name_;
  const Logger* log = ctx_->logger();

  d.set_timeout(timeout);

  int rc = mbedtls_ssl_setup(&d.ssl, &ctx_->impl().conf);
  if (rc != 0) return make_error(Errc::internal, {"TLS setup failed: ", mbedtls_text(rc)});
  // Always set: SNI, and the name the certificate must carry (in 2.28.3 no
  // name is checked at all without it, CVE-2025-27809).
  rc = mbedtls_ssl_set_hostname(&d.ssl, host.c_str());
  if (rc != 0) return make_error(Errc::invalid_argument, "bad TLS server name '{}'", {host});
  mbedtls_ssl_set_bio(&d.ssl, &d, &Impl::send_cb, &Impl::recv_cb, nullptr);
  mbedtls_ssl_set_verify(&d.ssl, &Impl::verify_cb, &d);

  // T8: offer a cached session (never older than the cache's cap).
  std::string cache_key;
  std::optional<TlsSessionCache::Entry> cached;
  mbedtls_ssl_session offered_session;
  mbedtls_ssl_session_init(&offered_session);
  struct FreeSession {
    mbedtls_ssl_session* s;
    ~FreeSession() { mbedtls_ssl_session_free(s); }
  } free_offered{&offered_session};
  if (TlsSessionCache* cache = ctx_->cache()) {
    cache_key = format("{}:{}|{}|", {host, Dec(to.port), cfg.profile.name});
    for (auto id : cfg.profile.suites) cat_append(cache_key, {Dec(id), ","});
    cat_append(cache_key, {"|", Dec(static_cast<int>(cfg.profile.min_version)),
                           Dec(static_cast<int>(cfg.profile.max_version)), "|", ctx_->impl().trust_id});
    cached = cache->find(cache_key);
    if (cached) {
      if (mbedtls_ssl_session_load(&offered_session, cached->session.data(), cached->session.size()) == 0 &&
          mbedtls_ssl_set_session(&d.ssl, &offered_session) == 0) {
        if (logs(log)) log->debug("tls", cat({"offering a cached session for ", host}));
      } else {
        cache->forget(cache_key);
        cached.reset();
      }
    }
  }

  do {
    rc = mbedtls_ssl_handshake(&d.ssl);
  } while (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE);

  if (rc != 0) {
    Error err = [&]() -> Error {
      const std::string peer = to.to_string();
      if (d.io_error) {
        Error e = *d.io_error;
        return std::move(e).with_context(cat({"TLS handshake with ", peer}));
      }
      if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) return certificate_error(d, host, cfg);
      if (rc == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
        const int alert = d.ssl.in_msg != nullptr ? d.ssl.in_msg[1] : -1;
        const std::string named = format("{} ({})", {alert_name(alert), Dec(alert)});
        if (alert == 40 || alert == 71) {
          return make_error(Errc::tls_no_shared_suite,
                            "{} shares no cipher suite with this client: it answered alert {} to {}",
                            {peer, named, offered(cfg.profile)});
        }
        if (alert == 70) {
          return make_error(Errc::tls_version_refused, "{} refused the protocol versions {}-{} (alert {})",
                            {peer, to_string(cfg.profile.min_version), to_string(cfg.profile.max_version), named});
        }
        return make_error(Errc::tls_alert, {peer, " ended the handshake with fatal alert ", named});
      }
      if (rc == MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION) {
        return make_error(Errc::tls_version_refused, "{} chose a protocol version outside {}-{}",
                          {peer, to_string(cfg.profile.min_version), to_string(cfg.profile.max_version)});
      }
      if (rc == MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN || rc == MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE) {
        return make_error(Errc::tls_no_shared_suite, {peer, " shares no cipher suite with ", offered(cfg.profile)});
      }
      if (rc == MBEDTLS_ERR_SSL_CONN_EOF || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
        return make_error(Errc::net_peer_closed, {peer, " closed the connection during the TLS handshake"});
      }
      if (rc == MBEDTLS_ERR_SSL_INVALID_RECORD || rc == MBEDTLS_ERR_SSL_INVALID_MAC ||
          rc == MBEDTLS_ERR_SSL_BAD_INPUT_DATA) {
        return make_error(Errc::tls_protocol, "malformed TLS data from {}: {}", {peer, mbedtls_text(rc)});
      }
      return make_error(Errc::tls_handshake, "TLS handshake with {} failed: {}", {peer, mbedtls_text(rc)});
    }();
    if (logs(log)) log->warn("tls", err.describe());
    if (cached) ctx_->cache()->forget(cache_key);
    inner_->close();
    return err;
  }

  d.established = true;
  info_ = TlsInfo{};
  info_.version = static_cast<TlsVersion>(d.ssl.minor_ver);
  info_.suite_id = static_cast<std::uint16_t>(d.ssl.session->ciphersuite);
  info_.suite = suite_name(info_.suite_id);
  info_.resumed = cached.has_value() && d.ssl.session->id_len != 0 &&
                  d.ssl.session->id_len == offered_session.id_len &&
                  std::memcmp(d.ssl.session->id, offered_session.id, offered_session.id_len) == 0;
  if (const mbedtls_x509_crt* crt = mbedtls_ssl_get_peer_cert(&d.ssl)) info_.peer = summary(*crt);

  if (TlsSessionCache* cache = ctx_->cache()) {
    mbedtls_ssl_session s;
    mbedtls_ssl_session_init(&s);
    std::size_t len = 0;
    if (mbedtls_ssl_get_session(&d.ssl, &s) == 0 && s.id_len != 0) {
      mbedtls_ssl_session_save(&s, nullptr, 0, &len);
      SecretBytes buf(len);
      if (len != 0 && mbedtls_ssl_session_save(&s, buf.data(), buf.size(), &len) == 0) {
        // Age counts from the full handshake, through resumptions.
        cache->put(cache_key, ByteView(buf.data(), len), info_.resumed ? cached->created : ctx_->clock().wall_now());
      }
    }
    mbedtls_ssl_session_free(&s);
  }
  if (logs(log)) {
    log->debug("tls", format("connected to {}: {} {}{}", {to.to_string(), to_string(info_.version), info_.suite,
                                                          (info_.resumed ? " (resumed)" : " (full handshake)")}));
  }
  return success();
}

Result<std::size_t> TlsStream::read(std::uint8_t* buf, std::size_t cap, Millis timeout) {
  Impl& d = *impl_;
  if (!d.established) return Error(Errc::net_not_connected, "read on a TLS stream that is not connected");
  d.set_timeout(timeout);
  d.io_error.reset();
  for (;;) {
    int rc = mbedtls_ssl_read(&d.ssl, buf, cap);
    if (rc > 0) return static_cast<std::size_t>(rc);
    if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return std::size_t{0};
    if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
    if (d.io_error) return *d.io_error;
    if (rc == MBEDTLS_ERR_SSL_CONN_EOF) {
      return Error(Errc::net_peer_closed, "the server closed the connection without a TLS close_notify");
    }
    return make_error(Errc::tls_protocol, {"TLS read failed: ", mbedtls_text(rc)});
  }
}

Result<void> TlsStream::write(ByteView data, Millis timeout) {
  Impl& d = *impl_;
  if (!d.established) return Error(Errc::net_not_connected, "write on a TLS stream that is not connected");
  d.set_timeout(timeout);
  d.io_error.reset();
  std::size_t off = 0;
  while (off < data.size()) {
    int rc = mbedtls_ssl_write(&d.ssl, data.data() + off, data.size() - off);
    if (rc > 0) {
      off += static_cast<std::size_t>(rc);
      continue;
    }
    if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
    if (d.io_error) return *d.io_error;
    return make_error(Errc::tls_protocol, {"TLS write failed: ", mbedtls_text(rc)});
  }
  return success();
}

void TlsStream::close() {
  if (impl_ && impl_->established) {
    impl_->set_timeout(Millis(1000));
    (void)mbedtls_ssl_close_notify(&impl_->ssl);
    impl_->established = false;
  }
  if (inner_) inner_->close();
}

}  // namespace utkit::tls
