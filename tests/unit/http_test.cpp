// http module units: the response parser (split at every offset, a corpus of
// malformed responses with their errors, limits), the request writer, URLs,
// and Digest (published and independently computed vectors, challenge parsing,
// rspauth, AKA).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "support.hpp"
#include "utkit/http/digest.hpp"
#include "utkit/http/parser.hpp"
#include "utkit/http/writer.hpp"

using namespace utkit;
using namespace utkit::http;

namespace {

Result<Response> parse_all(const std::string& raw, std::size_t split_every = 0, const char* method = "GET",
                           ParserLimits limits = {}) {
  ResponseParser p(limits);
  p.set_request_method(method);
  std::size_t pos = 0;
  while (pos < raw.size() && p.need_more()) {
    std::size_t n = split_every == 0 ? raw.size() - pos : std::min(split_every, raw.size() - pos);
    UTKIT_ASSIGN(std::size_t used, p.feed(ByteView::of(std::string_view(raw).substr(pos, n))));
    pos += used;
    if (used < n) break;  // response complete, rest belongs to the next one
  }
  if (!p.done()) UTKIT_TRY(p.finish());
  return p.take();
}

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char c = s[++i];
      out += c == 'r' ? '\r' : c == 'n' ? '\n' : c == '0' ? '\0' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

const std::vector<std::string>& good_responses() {
  static const std::vector<std::string> v = {
      "HTTP/1.1 200 OK\r\nContent-Type: application/xcap-el+xml\r\nETag: \"abc\"\r\nContent-Length: 11\r\n\r\n<entry/>\r\n ",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
      "HTTP/1.1 204 No Content\r\nETag: \"x\"\r\n\r\n",
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n",
      "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nbody until close",
      "HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\nContent-Length: 0\n\n",
      "HTTP/1.1 200 OK\r\ncontent-length: 3\r\nContent-Length: 3\r\n\r\nabc",
  };
  return v;
}

}  // namespace

TEST_CASE("http parser: every response split at every offset parses the same") {
  for (const std::string& raw : good_responses()) {
    auto whole = parse_all(raw);
    REQUIRE_MESSAGE(whole.ok(), whole.error().describe() << " for " << raw);
    for (std::size_t split = 1; split <= raw.size(); ++split) {
      auto piecewise = parse_all(raw, split);
      REQUIRE_MESSAGE(piecewise.ok(), piecewise.error().describe());
      CHECK(piecewise->status == whole->status);
      CHECK(piecewise->body == whole->body);
      CHECK(piecewise->headers.fields() == whole->headers.fields());
      CHECK(piecewise->trailers.fields() == whole->trailers.fields());
    }
  }
}

TEST_CASE("http parser: what it extracts") {
  auto r = parse_all(good_responses()[0]);
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->reason == "OK");
  CHECK(*r->headers.find("etag") == "\"abc\"");
  CHECK(r->body_text() == "<entry/>\r\n ");
  auto chunked = parse_all(good_responses()[1]);
  CHECK(chunked->body_text() == "hello world");
  CHECK(*chunked->trailers.find("X-Trailer") == "t");
  auto cont = parse_all(good_responses()[2]);
  CHECK(cont->status == 201);
  CHECK(cont->body_text() == "ok");
  CHECK(parse_all(good_responses()[4])->body.empty());  // 304 has no body whatever it says
  CHECK(parse_all(good_responses()[5])->body_text() == "body until close");
  CHECK(parse_all(good_responses()[6])->status == 401);  // bare LF line ends tolerated
  auto head = parse_all("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", 0, "HEAD");
  REQUIRE(head.ok());
  CHECK(head->body.empty());
  auto connect = parse_all("HTTP/1.1 200 Connection established\r\n\r\n", 0, "CONNECT");
  REQUIRE(connect.ok());
  CHECK(connect->status == 200);
}

TEST_CASE("http parser: keep-alive and pipelined bytes") {
  const std::string two = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb";
  ResponseParser p;
  auto used = p.feed(ByteView::of(two));
  REQUIRE(used.ok());
  CHECK(p.done());
  CHECK(used.value() == two.size() / 2);
  CHECK(p.keep_alive());
  ResponseParser c;
  REQUIRE(c.feed(ByteView::of("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")).ok());
  CHECK_FALSE(c.keep_alive());
  ResponseParser old;
  REQUIRE(old.feed(ByteView::of("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).ok());
  CHECK_FALSE(old.keep_alive());
}

TEST_CASE("http parser: malformed corpus (vectors/http/malformed.txt)") {
  std::ifstream in(testsupport::vectors_path("http/malformed.txt"));
  REQUIRE(in.good());
  std::string line, expect;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("== ", 0) == 0) {
      expect = line.substr(3);
      continue;
    }
    const std::string raw = unescape(line);
    ++cases;
    for (std::size_t split : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
      auto r = parse_all(raw, split, "GET", ParserLimits{16 * 1024, 100, 1 << 20});
      REQUIRE_MESSAGE(!r.ok(), "accepted: " << line);
      CHECK_MESSAGE(std::string(to_string(r.error().code())) == expect, line << " -> " << r.error().describe());
    }
  }
  CHECK(cases >= 20);
}

TEST_CASE("http parser: limits and truncation") {
  ParserLimits small{64, 3, 10};
  std::string big_header = "HTTP/1.1 200 OK\r\nX: " + std::string(100, 'a') + "\r\n\r\n";
  CHECK(parse_all(big_header, 0, "GET", small).error().code() == Errc::http_header_too_large);
  CHECK(parse_all("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 0, "GET", small).error().code() ==
        Errc::http_too_many_headers);
  CHECK(parse_all("HTTP/1.1 200 OK\r\n\r\n0123456789abc", 0, "GET", small).error().code() == Errc::http_body_too_large);
  CHECK(parse_all("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc").error().code() == Errc::http_truncated);
  CHECK(parse_all("HTTP/1.1 200 OK\r\nContent-Le").error().code() == Errc::http_truncated);
  CHECK(parse_all("").error().code() == Errc::http_truncated);
  // Once failed, it stays failed.
  ResponseParser p;
  CHECK_FALSE(p.feed(ByteView::of("junk\r\n")).ok());
  CHECK_FALSE(p.feed(ByteView::of("HTTP/1.1 200 OK\r\n\r\n")).ok());
  CHECK_FALSE(p.finish().ok());
}

TEST_CASE("http writer: requests, and refusals of CR/LF injection") {
  Request r;
  r.method = "PUT";
  r.target = "/xcap-root/resource-lists/users/sip:alice@example.test/index/~~/resource-lists/list%5B@name=%22b%22%5D";
  r.headers.add("Host", "xcap.example.test");
  r.headers.add("Content-Type", "application/xcap-el+xml");
  r.body = Bytes{'<', 'e', '/', '>'};
  auto s = serialize(r);
  REQUIRE(s.ok());
  CHECK(s.value() == "PUT " + r.target + " HTTP/1.1\r\nHost: xcap.example.test\r\nContent-Type: "
                     "application/xcap-el+xml\r\nContent-Length: 4\r\n\r\n<e/>");
  Request bad = r;
  bad.headers.add("X-Name", "evil\r\nInjected: 1");
  CHECK(serialize(bad).error().code() == Errc::http_bad_request);
  Request bad2 = r;
  bad2.headers.add("Bad Name", "x");
  CHECK(serialize(bad2).error().code() == Errc::http_bad_request);
  Request bad3 = r;
  bad3.target = "/a b";
  CHECK(serialize(bad3).error().code() == Errc::http_bad_request);
  Request bad4 = r;
  bad4.method = "GET /x HTTP/1.1\r\n";
  CHECK(serialize(bad4).error().code() == Errc::http_bad_request);
  Request get;
  get.headers.add("Host", "h");
  CHECK(serialize(get).value() == "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST_CASE("http urls") {
  auto u = parse_url("https://naf.example.test:8443/xcap-root?x=1#frag");
  REQUIRE(u.ok());
  CHECK(u->tls());
  CHECK(u->host == "naf.example.test");
  CHECK(u->port == 8443);
  CHECK(u->target == "/xcap-root?x=1");
  CHECK(u->authority() == "naf.example.test:8443");
  CHECK(parse_url("http://bsf.example.test")->target == "/");
  CHECK(parse_url("http://bsf.example.test")->authority() == "bsf.example.test");
  CHECK(parse_url("http://[::1]:8080/x")->host == "::1");
  CHECK(parse_url("http://[::1]:8080/x")->authority() == "[::1]:8080");
  CHECK(parse_url("HTTPS://h?q")->target == "/?q");
  CHECK(parse_url("ftp://h/").error().code() == Errc::http_bad_url);
  CHECK(parse_url("h/x").error().code() == Errc::http_bad_url);
  CHECK(parse_url("http://user:pw@h/").error().code() == Errc::http_bad_url);
  CHECK(parse_url("http://h:99999/").error().code() == Errc::http_bad_url);
  CHECK(parse_url("http://h:0/").error().code() == Errc::http_bad_url);
  CHECK(parse_url("http:///x").error().code() == Errc::http_bad_url);
  CHECK(parse_url("http://h/a b").error().code() == Errc::http_bad_url);
}

namespace {
DigestAlgorithm alg_of(const std::string& s) {
  auto ch = parse_challenges({"Digest realm=\"r\", nonce=\"n\", algorithm=" + s});
  return ch->at(0).algorithm;
}
SecretBytes password_of(const std::string& field) {
  if (field.rfind("hex:", 0) == 0) return SecretBytes(ByteView(testsupport::hex(field.substr(4))));
  return SecretBytes(ByteView::of(field));
}
}  // namespace

TEST_CASE("digest: RFC 2617 / RFC 7616 vectors (vectors/digest.txt)") {
  auto rows = testsupport::read_vector_lines("digest.txt", '|');
  REQUIRE(rows.size() >= 3);
  for (auto& f : rows) {
    REQUIRE(f.size() == 10);
    auto r = DigestSession::compute_response(alg_of(f[0]), f[1], f[2], ByteView::of(f[3]), f[4], "GET", f[5],
                                             f[6] == "auth" ? Qop::auth : Qop::none, f[7], f[8], ByteView());
    REQUIRE(r.ok());
    CHECK_MESSAGE(r.value() == f[9], f[0] << " " << f[2]);
  }
}

TEST_CASE("digest: auth-int, -sess, RFC 2069, AKAv1 and AKAv2 (vectors/digest-extra.txt)") {
  auto rows = testsupport::read_vector_lines("digest-extra.txt", '|');
  int n = 0;
  for (auto& f : rows) {
    if (f[0] == "akav2") {
      SecretBytes pw = akav2_password(ByteView(testsupport::hex(f[1])), ByteView(testsupport::hex(f[2])),
                                      ByteView(testsupport::hex(f[3])));
      CHECK(pw.view().as_string() == f[4]);
      ++n;
      continue;
    }
    f.resize(12);  // empty trailing fields
    Qop q = f[6] == "auth" ? Qop::auth : f[6] == "auth-int" ? Qop::auth_int : Qop::none;
    SecretBytes pw = password_of(f[3]);
    auto r = DigestSession::compute_response(alg_of(f[0]), f[1], f[2], pw.view(), f[4], f[9], f[5], q, f[7], f[8],
                                             ByteView::of(f[10]));
    REQUIRE(r.ok());
    CHECK_MESSAGE(r.value() == f[11], f[0] << " " << f[6]);
    ++n;
  }
  CHECK(n >= 8);
}

TEST_CASE("digest: challenge parsing") {
  auto c = parse_challenges(
      {"Basic realm=\"basic\", Digest realm=\"3GPP-bootstrapping@naf.example.test\", "
       "nonce=\"a\\\"b,c\", qop=\"auth,auth-int\", algorithm=MD5, opaque=\"op\", stale=TRUE, charset=UTF-8",
       "Digest realm=\"bsf\", nonce=xyz==, algorithm=AKAv1-MD5, qop=auth-int, unknownparam=\"1\"",
       "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Digest realm=\"s\", nonce=\"t\", "
       "algorithm=SHA-256, userhash=true"});
  REQUIRE_MESSAGE(c.ok(), c.error().describe());
  REQUIRE(c->size() == 5);
  CHECK((*c)[0].scheme == "Basic");
  const Challenge& d = (*c)[1];
  CHECK(d.realm == "3GPP-bootstrapping@naf.example.test");
  CHECK(d.nonce == "a\"b,c");
  CHECK(d.qop_auth);
  CHECK(d.qop_auth_int);
  CHECK(d.opaque == "op");
  CHECK(d.stale);
  const Challenge& aka = (*c)[2];
  CHECK(aka.nonce == "xyz==");
  CHECK(aka.algorithm == DigestAlgorithm::akav1_md5);
  CHECK(aka.qop_auth_int);
  CHECK_FALSE(aka.qop_auth);
  CHECK((*c)[3].scheme == "Newauth");
  CHECK((*c)[4].algorithm == DigestAlgorithm::sha256);
  CHECK((*c)[4].userhash);
  auto sel = select_challenge(*c);
  REQUIRE(sel.ok());
  CHECK(sel->realm == "3GPP-bootstrapping@naf.example.test");

  CHECK(parse_challenges({"Digest nonce=\"n\""}).error().code() == Errc::auth_bad_challenge);      // no realm
  CHECK(parse_challenges({"Digest realm=\"r\""}).error().code() == Errc::auth_bad_challenge);      // no nonce
  CHECK(parse_challenges({"Digest realm=\"r, nonce=1"}).error().code() == Errc::auth_bad_challenge);  // unterminated
  CHECK(parse_challenges({"realm=\"r\""}).error().code() == Errc::auth_bad_challenge);
  CHECK(parse_challenges({"Digest realm=\"\", nonce=\"n\""}).ok());  // an empty realm is legal
  auto weird = parse_challenges({"Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256"});
  REQUIRE(weird.ok());
  CHECK(select_challenge(*weird).error().code() == Errc::auth_unsupported);
  auto badqop = parse_challenges({"Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\""});
  CHECK(select_challenge(*badqop).error().code() == Errc::auth_unsupported);
  CHECK(select_challenge(*parse_challenges({"Basic realm=\"x\""})).error().code() == Errc::auth_bad_challenge);
  CHECK(parse_challenges({""})->empty());
}

namespace {
struct FixedRandom final : Random {
  Result<void> fill(std::uint8_t* out, std::size_t len) override {
    for (std::size_t i = 0; i < len; ++i) out[i] = static_cast<std::uint8_t>(i + 1);
    return success();
  }
};
}  // namespace

TEST_CASE("digest: session builds headers, counts nonces, verifies rspauth") {
  FixedRandom rnd;
  auto ch = parse_challenges({"Digest realm=\"3GPP-bootstrapping@naf\", nonce=\"abc\", qop=\"auth\", opaque=\"o\""});
  DigestSession s(ch->at(0));
  DigestCredentials cred{"btid@bsf", SecretBytes(ByteView::of("a2V5")), ""};
  auto h1 = s.authorize("GET", "/xcap-root/x", ByteView(), cred, rnd);
  REQUIRE(h1.ok());
  CHECK(h1->find("username=\"btid@bsf\"") != std::string::npos);
  CHECK(h1->find("nc=00000001") != std::string::npos);
  CHECK(h1->find("qop=auth,") != std::string::npos);
  CHECK(h1->find("opaque=\"o\"") != std::string::npos);
  auto h2 = s.authorize("GET", "/xcap-root/x", ByteView(), cred, rnd);
  CHECK(h2->find("nc=00000002") != std::string::npos);

  // What a correct server would answer: rspauth over ":uri".
  const std::string cnonce = "0102030405060708090a0b0c";
  auto rsp = DigestSession::compute_response(DigestAlgorithm::md5, "btid@bsf", "3GPP-bootstrapping@naf",
                                             ByteView::of("a2V5"), "abc", "", "/xcap-root/x", Qop::auth, "00000002",
                                             cnonce, ByteView());
  Headers ok;
  ok.add("Authentication-Info", "rspauth=\"" + rsp.value() + "\", cnonce=\"" + cnonce + "\", nc=00000002, qop=auth, "
                                "nextnonce=\"fresh\"");
  REQUIRE(s.verify(ok, ByteView(), cred).ok());
  CHECK(s.challenge().nonce == "fresh");
  CHECK(s.nonce_count() == 0);

  auto h3 = s.authorize("GET", "/xcap-root/x", ByteView(), cred, rnd);
  Headers wrong;
  wrong.add("Authentication-Info", "rspauth=\"00000000000000000000000000000000\", qop=auth");
  auto bad = s.verify(wrong, ByteView(), cred);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code() == Errc::auth_rspauth_mismatch);
  CHECK(s.verify(Headers{}, ByteView(), cred, true).error().code() == Errc::auth_rspauth_mismatch);
  CHECK(s.verify(Headers{}, ByteView(), cred, false).ok());
}

TEST_CASE("digest: values with quotes or backslashes cannot add or end a parameter") {
  FixedRandom rnd;
  auto ch = parse_challenges({"Digest realm=\"r\\\"x\", nonce=\"n\", qop=\"auth\", algorithm=MD5"});
  REQUIRE(ch.ok());
  DigestSession s(ch->at(0));
  DigestCredentials cred{"alice\", response=\"forged", SecretBytes(ByteView::of("pw")), ""};
  auto h = s.authorize("GET", "/a\"b", ByteView(), cred, rnd);
  REQUIRE(h.ok());
  CHECK(h->find("username=\"alice\\\", response=\\\"forged\"") != std::string::npos);
  CHECK(h->find("realm=\"r\\\"x\"") != std::string::npos);
  CHECK(h->find("uri=\"/a\\\"b\"") != std::string::npos);
  CHECK(h->find("algorithm=MD5,") != std::string::npos);
  // The header we wrote parses back to exactly the values we meant.
  auto params = parse_auth_params(h->substr(7));
  REQUIRE(params.ok());
  int responses = 0;
  for (auto& [k, v] : params.value()) {
    if (k == "username") CHECK(v == "alice\", response=\"forged");
    if (k == "response") ++responses;
  }
  CHECK(responses == 1);
  DigestCredentials ctl{"a\x01b", SecretBytes(ByteView::of("pw")), ""};
  auto refused = s.authorize("GET", "/", ByteView(), ctl, rnd);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == Errc::http_bad_request);
}

TEST_CASE("http: quoted_string and canonical_host") {
  CHECK(quoted_string("sip:alice@example.net", "x").value() == "\"sip:alice@example.net\"");
  CHECK(quoted_string("a\"b\\c", "x").value() == "\"a\\\"b\\\\c\"");
  CHECK(quoted_string("tab\there", "x").ok());
  for (const char* bad : {"a\rb", "a\nb", "a\x7f", "a\x1b[0m"}) CHECK_FALSE(quoted_string(bad, "x").ok());
  CHECK(canonical_host("XCAP.Example.NET.") == "xcap.example.net");
  CHECK(canonical_host("::1") == "::1");
  CHECK(parse_url("https://XCAP.Example.net./xcap-root")->host == "xcap.example.net");
}

TEST_CASE("digest: AKA resync sends auts with an empty password; RFC 2069 without qop") {
  FixedRandom rnd;
  auto ch = parse_challenges({"Digest realm=\"bsf.example.test\", nonce=\"n\", algorithm=AKAv1-MD5, qop=\"auth\""});
  DigestSession s(ch->at(0));
  DigestCredentials sync{"impi@ims", SecretBytes(ByteView::of("ignored")), "h3Gg7J4WN98X+As4TuQ="};
  auto h = s.authorize("GET", "/", ByteView(), sync, rnd);
  REQUIRE(h.ok());
  CHECK(h->find("auts=\"h3Gg7J4WN98X+As4TuQ=\"") != std::string::npos);
  CHECK(h->find("algorithm=AKAv1-MD5") != std::string::npos);
  auto expect = DigestSession::compute_response(DigestAlgorithm::akav1_md5, "impi@ims", "bsf.example.test", ByteView(),
                                                "n", "GET", "/", Qop::auth, "00000001", "0102030405060708090a0b0c",
                                                ByteView());
  CHECK(h->find("response=\"" + expect.value() + "\"") != std::string::npos);

  auto plain = parse_challenges({"Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\""});
  DigestSession old(plain->at(0));
  DigestCredentials mufasa{"Mufasa", SecretBytes(ByteView::of("CircleOfLife")), ""};
  auto h2 = old.authorize("GET", "/dir/index.html", ByteView(), mufasa, rnd);
  CHECK(h2->find("response=\"1949323746fe6a43ef61f9606e7febea\"") != std::string::npos);
  CHECK(h2->find("qop") == std::string::npos);
  CHECK(h2->find("nc=") == std::string::npos);
}

TEST_CASE("digest: a stale renewal never weakens the protection space") {
  auto strong = parse_challenges({"Digest realm=\"r\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth-int\""}).value().at(0);
  DigestSession s(strong, Qop::auth_int);
  REQUIRE(s.qop() == Qop::auth_int);
  auto md5 = parse_challenges({"Digest realm=\"r\", nonce=\"n2\", stale=true"}).value().at(0);
  auto r = s.renew(md5);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::auth_bad_challenge);
  auto weaker_qop = parse_challenges({"Digest realm=\"r\", nonce=\"n3\", algorithm=SHA-256, qop=\"auth\", stale=true"})
                        .value().at(0);
  CHECK_FALSE(s.renew(weaker_qop).ok());
  CHECK(s.challenge().nonce == "n1");  // nothing adopted
  auto same = parse_challenges({"Digest realm=\"r\", nonce=\"n4\", algorithm=SHA-256, qop=\"auth,auth-int\", stale=true"})
                  .value().at(0);
  REQUIRE(s.renew(same).ok());
  CHECK(s.challenge().nonce == "n4");
  CHECK(s.qop() == Qop::auth_int);  // offered both: the one in use is kept
}

TEST_CASE("digest: a challenge policy picks AKA among several and refuses a qop below its floor") {
  auto all = parse_challenges({"Digest realm=\"bsf\", nonce=\"a\", algorithm=MD5, qop=\"auth\"",
                               "Digest realm=\"bsf\", nonce=\"b\", algorithm=AKAv1-MD5, qop=\"auth-int\""})
                 .value();
  CHECK(select_challenge(all).value().nonce == "a");  // no policy: the first usable
  ChallengePolicy ub;
  ub.algorithms = ChallengePolicy::bit(DigestAlgorithm::akav1_md5) | ChallengePolicy::bit(DigestAlgorithm::akav2_md5);
  ub.min_qop = Qop::auth_int;
  CHECK(select_challenge(all, ub).value().nonce == "b");
  auto only_auth = parse_challenges({"Digest realm=\"bsf\", nonce=\"c\", algorithm=AKAv1-MD5, qop=\"auth\""}).value();
  auto refused = select_challenge(only_auth, ub);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == Errc::auth_unsupported);
  CHECK(refused.error().message().find("AKAv1-MD5 qop=auth") != std::string::npos);
}

TEST_CASE("digest: rspauth is checked over the qop the request used, whatever Authentication-Info names") {
  auto ch = parse_challenges({"Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""}).value().at(0);
  DigestSession s(ch, Qop::auth_int);
  DigestCredentials cred{"u", SecretBytes(ByteView::of("pw")), {}};
  struct Fixed final : Random {
    Result<void> fill(std::uint8_t* out, std::size_t n) override {
      for (std::size_t i = 0; i < n; ++i) out[i] = 7;
      return success();
    }
  } rnd;
  REQUIRE(s.authorize("GET", "/x", {}, cred, rnd).ok());
  // rspauth computed as for qop=auth (the body left out), and labelled so.
  auto as_auth = DigestSession::compute_response(DigestAlgorithm::md5, "u", "r", ByteView::of("pw"), "n", "", "/x",
                                                 Qop::auth, "00000001", "070707070707070707070707", {})
                     .value();
  Headers h;
  h.add("Authentication-Info", "rspauth=\"" + as_auth + "\", qop=auth, nc=00000001, cnonce=\"070707070707070707070707\"");
  auto v = s.verify(h, ByteView::of("a body an attacker wrote"), cred);
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code() == Errc::auth_rspauth_mismatch);
}
