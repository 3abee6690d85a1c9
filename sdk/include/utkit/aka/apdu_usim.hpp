// utkit/aka/apdu_usim.hpp — a USIM/ISIM on a real UICC, over an ApduChannel
// (ETSI TS 102 221, 3GPP TS 31.102 for the USIM, TS 31.103 for the ISIM).
//
// open(): reads EF.DIR (2F00) and finds the USIM (AID A0000000871002...) and
// ISIM (A0000000871004...) applications.
// identity(): IMSI (EF_IMSI 6F07) and MNC length (EF_AD 6FAD byte 4) from
// the USIM; IMPI (6F02), home domain (6F03) and IMPUs (6F04) from the ISIM
// when there is one.
// authenticate(): SELECT the application, AUTHENTICATE (INS 88, P2 81: 3G
// context); 'DB' -> RES, CK, IK; 'DC' -> AUTS; SW '9862' -> mac_failure.
#pragma once

#include <memory>

#include "utkit/aka/apdu.hpp"
#include "utkit/aka/usim.hpp"

namespace utkit::aka {

class ApduUsim final : public UsimBackend {
 public:
  enum class AuthApp { usim, isim };

  struct Options {
    // Which application runs AKA. The ISIM is used only when the card has one;
    // otherwise the USIM.
    AuthApp auth_app = AuthApp::usim;
  };

  // `channel` must outlive the backend.
  static Result<std::unique_ptr<ApduUsim>> open(ApduChannel& channel, Options options);

  std::string_view name() const override { return "apdu"; }
  Result<UsimIdentity> identity() override;
  Result<AkaResult> authenticate(ByteView rand, ByteView autn) override;

  // GBA_U: service n°68 in the USIM Service Table (EF_UST 6F38).
  bool supports_gba_u() const override { return gba_u_; }
  // AUTHENTICATE P2 '84', bootstrapping mode 'DD' -> 'DB' RES | 'DC' AUTS.
  Result<AkaResult> gba_u_bootstrap(ByteView rand, ByteView autn) override;
  // AUTHENTICATE P2 '84', NAF derivation mode 'DE' -> 'DB' Ks_ext_NAF.
  Result<SecretBytes> gba_u_ks_ext_naf(ByteView naf_id, std::string_view impi) override;

  bool has_isim() const { return !isim_aid_.empty(); }
  const Bytes& usim_aid() const { return usim_aid_; }
  const Bytes& isim_aid() const { return isim_aid_; }

 private:
  ApduUsim(ApduChannel& channel, Options options) : channel_(channel), options_(options) {}

  Result<ApduResponse> select_aid(ByteView aid);
  // Selects an EF by file id in the current application; returns its FCP.
  Result<ApduResponse> select_file(std::uint16_t fid);
  Result<Bytes> read_transparent(std::uint16_t fid, std::size_t max_len);
  Result<std::vector<Bytes>> read_records(std::uint16_t fid);

  ApduChannel& channel_;
  Options options_;
  Result<ApduResponse> authenticate_apdu(std::uint8_t p2, const Bytes& data);

  Bytes usim_aid_;
  Bytes isim_aid_;
  bool gba_u_ = false;
};

}  // namespace utkit::aka
