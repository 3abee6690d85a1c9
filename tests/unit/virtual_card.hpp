// A UICC emulator for tests: a small file system (MF/EF.DIR, a USIM ADF with
// EF_IMSI and EF_AD, an optional ISIM ADF with IMPI/DOMAIN/IMPU) and
// AUTHENTICATE answered by a real SoftUsim. It speaks like a T=0 card
// ('61xx' + GET RESPONSE) or a T=1 card (data inline), and can answer '6Cxx'
// to a wrong Le, so the ApduUsim's procedure handling runs against real logic.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "utkit/aka/apdu.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/gba/kdf.hpp"

namespace testsupport {

class VirtualCard final : public utkit::aka::ApduChannel {
 public:
  struct Options {
    bool t0 = true;                 // '61xx' + GET RESPONSE; false: data inline
    bool strict_le = false;         // READ with a wrong Le gets '6Cxx' first
    bool with_usim = true;
    bool with_isim = false;
    std::string imsi = "001010123456789";
    int mnc_length = 2;             // 0: EF_AD too short to say
    std::string impi = "alice@ims.example.test";
    std::string domain = "ims.example.test";
    std::vector<std::string> impus = {"sip:alice@example.test", "tel:+15550100"};
    bool gba_u = false;             // service 68 in EF_UST, and the GBA security context
  };

  static const utkit::Bytes& usim_aid() {
    static const utkit::Bytes a = {0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xFF,
                                   0x49, 0xFF, 0xFF, 0x89, 0x04, 0x0B, 0x00, 0xFF};
    return a;
  }
  static const utkit::Bytes& isim_aid() {
    static const utkit::Bytes a = {0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x04, 0xFF,
                                   0x49, 0xFF, 0xFF, 0x89, 0x04, 0x0B, 0x00, 0xFF};
    return a;
  }

  VirtualCard(Options o, utkit::aka::UsimBackend* usim) : o_(std::move(o)), usim_(usim) { build(); }

  utkit::Result<utkit::Bytes> transmit(utkit::ByteView c) override {
    log.push_back(c.to_bytes());
    if (unplugged) return utkit::Error(utkit::Errc::aka_card_io, "card removed");
    if (c.size() < 4) return sw(0x6700);
    const std::uint8_t ins = c[1], p1 = c[2], p2 = c[3];
    const std::size_t lc = c.size() > 5 ? c[4] : 0;
    const utkit::ByteView data = c.size() > 5 ? c.sub(5, lc) : utkit::ByteView();
    const int le = c.size() == 5 ? c[4] : (c.size() > 5 + lc ? c[5 + lc] : -1);
    switch (ins) {
      case 0xA4: return select(p1, data);
      case 0xC0: return get_response(le);
      case 0xB0: return read_binary((p1 << 8) | p2, le);
      case 0xB2: return read_record(p1, le);
      case 0x88: return authenticate(p2, data);
      default: return sw(0x6D00);
    }
  }

  std::vector<utkit::Bytes> log;
  bool unplugged = false;
  std::uint16_t auth_status_override = 0;  // e.g. 0x6982 to simulate a PIN-locked card
  utkit::Bytes auth_raw_override;          // a raw AUTHENTICATE answer (malformed cases)

 private:
  struct File {
    utkit::Bytes body;                  // transparent
    std::vector<utkit::Bytes> records;  // linear fixed
    std::size_t rec_len = 0;
  };
  using Dir = std::map<std::uint16_t, File>;

  static utkit::Bytes tlv80(const std::string& s) {
    utkit::Bytes b = {0x80, static_cast<std::uint8_t>(s.size())};
    b.insert(b.end(), s.begin(), s.end());
    return b;
  }

  static File records(std::vector<utkit::Bytes> recs, std::size_t len) {
    File f;
    f.rec_len = len;
    for (auto& r : recs) {
      r.resize(len, 0xFF);
      f.records.push_back(r);
    }
    return f;
  }

  void build() {
    std::vector<utkit::Bytes> dir;
    auto app = [](const utkit::Bytes& aid, const std::string& label) {
      utkit::Bytes inner = {0x4F, static_cast<std::uint8_t>(aid.size())};
      inner.insert(inner.end(), aid.begin(), aid.end());
      inner.push_back(0x50);
      inner.push_back(static_cast<std::uint8_t>(label.size()));
      inner.insert(inner.end(), label.begin(), label.end());
      utkit::Bytes r = {0x61, static_cast<std::uint8_t>(inner.size())};
      r.insert(r.end(), inner.begin(), inner.end());
      return r;
    };
    if (o_.with_usim) dir.push_back(app(usim_aid(), "USIM"));
    if (o_.with_isim) dir.push_back(app(isim_aid(), "ISIM"));
    dir.push_back({});  // an empty (all FF) record
    mf_[0x2F00] = records(dir, 38);

    // EF_IMSI: length, then BCD with the parity nibble first.
    std::vector<std::uint8_t> nib = {static_cast<std::uint8_t>(o_.imsi.size() % 2 ? 0x9 : 0x1)};
    for (char ch : o_.imsi) nib.push_back(static_cast<std::uint8_t>(ch - '0'));
    if (nib.size() % 2) nib.push_back(0xF);
    utkit::Bytes imsi = {static_cast<std::uint8_t>(nib.size() / 2)};
    for (std::size_t i = 0; i < nib.size(); i += 2) imsi.push_back(static_cast<std::uint8_t>(nib[i] | (nib[i + 1] << 4)));
    imsi.resize(9, 0xFF);
    usim_files_[0x6F07].body = imsi;
    usim_files_[0x6FAD].body = o_.mnc_length ? utkit::Bytes{0x00, 0x00, 0x00, static_cast<std::uint8_t>(o_.mnc_length)}
                                             : utkit::Bytes{0x00, 0x00, 0x00};

    utkit::Bytes ust(9, 0x00);
    if (o_.gba_u) ust[8] |= 0x08;  // service n°68: bit 3 of byte 8
    usim_files_[0x6F38].body = ust;

    isim_files_[0x6F02].body = tlv80(o_.impi);
    isim_files_[0x6F03].body = tlv80(o_.domain);
    std::vector<utkit::Bytes> impus;
    for (auto& u : o_.impus) impus.push_back(tlv80(u));
    isim_files_[0x6F04] = records(impus, 64);
  }

  utkit::Result<utkit::Bytes> sw(std::uint16_t s) {
    return utkit::Bytes{static_cast<std::uint8_t>(s >> 8), static_cast<std::uint8_t>(s)};
  }

  // Either '61xx' (T=0, data kept for GET RESPONSE) or data || 9000.
  utkit::Result<utkit::Bytes> answer(utkit::Bytes d) {
    if (d.empty()) return sw(0x9000);
    if (o_.t0) {
      pending_ = std::move(d);
      return sw(static_cast<std::uint16_t>(0x6100 | (pending_.size() & 0xFF)));
    }
    d.push_back(0x90);
    d.push_back(0x00);
    return d;
  }

  utkit::Result<utkit::Bytes> get_response(int le) {
    if (pending_.empty()) return sw(0x6F00);
    std::size_t n = le <= 0 ? 256 : static_cast<std::size_t>(le);
    if (n > pending_.size()) n = pending_.size();
    utkit::Bytes out(pending_.begin(), pending_.begin() + static_cast<long>(n));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(n));
    if (!pending_.empty()) {
      out.push_back(0x61);
      out.push_back(static_cast<std::uint8_t>(pending_.size()));
    } else {
      out.push_back(0x90);
      out.push_back(0x00);
    }
    return out;
  }

  static utkit::Bytes fcp(const File& f, std::uint16_t fid) {
    utkit::Bytes inner;
    if (f.rec_len) {
      inner = {0x82, 0x05, 0x42, 0x21, 0x00, static_cast<std::uint8_t>(f.rec_len),
               static_cast<std::uint8_t>(f.records.size())};
    } else {
      inner = {0x82, 0x02, 0x41, 0x21};
    }
    inner.insert(inner.end(), {0x83, 0x02, static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid)});
    if (!f.rec_len) {
      inner.insert(inner.end(), {0x80, 0x02, 0x00, static_cast<std::uint8_t>(f.body.size())});
    }
    utkit::Bytes out = {0x62, static_cast<std::uint8_t>(inner.size())};
    out.insert(out.end(), inner.begin(), inner.end());
    return out;
  }

  utkit::Result<utkit::Bytes> select(std::uint8_t p1, utkit::ByteView data) {
    if (p1 == 0x04) {
      if (o_.with_usim && data == utkit::ByteView(usim_aid())) {
        cur_dir_ = &usim_files_;
      } else if (o_.with_isim && data == utkit::ByteView(isim_aid())) {
        cur_dir_ = &isim_files_;
      } else {
        return sw(0x6A82);
      }
      cur_ = nullptr;
      return answer({0x62, 0x04, 0x82, 0x02, 0x78, 0x21});
    }
    if (data.size() != 2) return sw(0x6700);
    std::uint16_t fid = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
    if (fid == 0x3F00) {
      cur_dir_ = &mf_;
      cur_ = nullptr;
      return answer({0x62, 0x04, 0x82, 0x02, 0x78, 0x21});
    }
    Dir* d = cur_dir_ ? cur_dir_ : &mf_;
    auto it = d->find(fid);
    if (it == d->end()) return sw(0x6A82);
    cur_ = &it->second;
    return answer(fcp(it->second, fid));
  }

  utkit::Result<utkit::Bytes> read_binary(int offset, int le) {
    if (!cur_ || cur_->rec_len) return sw(0x6981);
    std::size_t off = static_cast<std::size_t>(offset);
    if (off > cur_->body.size()) return sw(0x6B00);
    std::size_t avail = cur_->body.size() - off;
    if (o_.strict_le && le >= 0 && static_cast<std::size_t>(le) != avail && static_cast<std::size_t>(le) > avail) {
      return sw(static_cast<std::uint16_t>(0x6C00 | avail));
    }
    std::size_t n = le <= 0 ? avail : std::min<std::size_t>(avail, static_cast<std::size_t>(le));
    utkit::Bytes out(cur_->body.begin() + static_cast<long>(off), cur_->body.begin() + static_cast<long>(off + n));
    out.push_back(0x90);
    out.push_back(0x00);
    return out;
  }

  utkit::Result<utkit::Bytes> read_record(int n, int le) {
    if (!cur_ || !cur_->rec_len) return sw(0x6981);
    if (n < 1 || static_cast<std::size_t>(n) > cur_->records.size()) return sw(0x6A83);
    if (o_.strict_le && le != static_cast<int>(cur_->rec_len)) {
      return sw(static_cast<std::uint16_t>(0x6C00 | cur_->rec_len));
    }
    utkit::Bytes out = cur_->records[static_cast<std::size_t>(n - 1)];
    out.push_back(0x90);
    out.push_back(0x00);
    return out;
  }

  // GBA security context (TS 31.102 7.1.2.4): the card keeps Ks = CK || IK.
  utkit::Result<utkit::Bytes> gba(utkit::ByteView d) {
    if (!o_.gba_u) return sw(0x6A86);
    if (d.size() == 35 && d[0] == 0xDD && d[1] == 16 && d[18] == 16) {
      auto r = usim_->authenticate(d.sub(2, 16), d.sub(19, 16));
      if (!r) return sw(0x6F00);
      using utkit::aka::AkaStatus;
      if (r->status == AkaStatus::mac_failure) return sw(0x9862);
      if (r->status == AkaStatus::sync_failure) {
        utkit::Bytes out = {0xDC, 14};
        out.insert(out.end(), r->auts.begin(), r->auts.end());
        return answer(std::move(out));
      }
      gba_ks_ = utkit::SecretBytes::concat(r->ck.view(), r->ik.view());
      gba_rand_ = d.sub(2, 16).to_bytes();
      utkit::Bytes out = {0xDB, static_cast<std::uint8_t>(r->res.size())};
      utkit::append(out, r->res.view());
      return answer(std::move(out));
    }
    if (d.size() >= 3 && d[0] == 0xDE) {
      const std::size_t nl = d[1];
      if (2 + nl + 1 > d.size()) return sw(0x6700);
      const std::size_t il = d[2 + nl];
      if (3 + nl + il != d.size()) return sw(0x6700);
      if (gba_ks_.empty()) return sw(0x6985);  // no bootstrap yet
      auto k = utkit::gba::ks_naf(gba_ks_.view(), utkit::ByteView(gba_rand_), d.sub(3 + nl, il).as_string(), d.sub(2, nl));
      if (!k) return sw(0x6F00);
      utkit::Bytes out = {0xDB, 32};
      utkit::append(out, k->view());
      return answer(std::move(out));
    }
    return sw(0x6A80);
  }

  utkit::Result<utkit::Bytes> authenticate(std::uint8_t p2, utkit::ByteView d) {
    if (cur_dir_ != &usim_files_ && cur_dir_ != &isim_files_) return sw(0x6985);
    if (p2 == 0x84) return gba(d);
    if (p2 != 0x81) return sw(0x6B00);
    if (auth_status_override) return sw(auth_status_override);
    if (!auth_raw_override.empty()) return answer(auth_raw_override);
    if (d.size() != 34 || d[0] != 16 || d[17] != 16) return sw(0x6700);
    auto r = usim_->authenticate(d.sub(1, 16), d.sub(18, 16));
    if (!r) return sw(0x6F00);
    using utkit::aka::AkaStatus;
    if (r->status == AkaStatus::mac_failure) return sw(0x9862);
    utkit::Bytes out;
    if (r->status == AkaStatus::sync_failure) {
      out = {0xDC, 14};
      out.insert(out.end(), r->auts.begin(), r->auts.end());
    } else {
      out = {0xDB, static_cast<std::uint8_t>(r->res.size())};
      utkit::append(out, r->res.view());
      out.push_back(16);
      utkit::append(out, r->ck.view());
      out.push_back(16);
      utkit::append(out, r->ik.view());
    }
    return answer(std::move(out));
  }

  Options o_;
  utkit::aka::UsimBackend* usim_;
  Dir mf_, usim_files_, isim_files_;
  Dir* cur_dir_ = nullptr;
  File* cur_ = nullptr;
  utkit::Bytes pending_;
  utkit::SecretBytes gba_ks_;
  utkit::Bytes gba_rand_;
};

}  // namespace testsupport
