#include "utkit/posix/pcsc_channel.hpp"

#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include "utkit/base/secret.hpp"

namespace utkit::posix {
namespace {

Error pcsc_error(const std::string& what, LONG rc) {
  std::string hint;
  if (rc == SCARD_E_NO_SERVICE) hint = " (is pcscd running?)";
  if (rc == SCARD_E_NO_READERS_AVAILABLE) hint = " (is a reader plugged in?)";
  if (rc == SCARD_E_NO_SMARTCARD || rc == SCARD_W_REMOVED_CARD) hint = " (is a card inserted?)";
  return Error(Errc::aka_card_io, what + ": " + pcsc_stringify_error(rc) + hint);
}

}  // namespace

struct PcscChannel::Impl {
  SCARDCONTEXT ctx = 0;
  SCARDHANDLE card = 0;
  DWORD protocol = 0;
  bool have_ctx = false, have_card = false;
  ~Impl() {
    if (have_card) SCardDisconnect(card, SCARD_LEAVE_CARD);
    if (have_ctx) SCardReleaseContext(ctx);
  }
};

namespace {
Result<std::vector<std::string>> readers_of(SCARDCONTEXT ctx) {
  DWORD len = 0;
  LONG rc = SCardListReaders(ctx, nullptr, nullptr, &len);
  if (rc != SCARD_S_SUCCESS) return pcsc_error("listing smart-card readers", rc);
  std::string buf(len, '\0');
  rc = SCardListReaders(ctx, nullptr, buf.data(), &len);
  if (rc != SCARD_S_SUCCESS) return pcsc_error("listing smart-card readers", rc);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < buf.size() && buf[i] != '\0';) {
    std::string name(buf.c_str() + i);
    i += name.size() + 1;
    out.push_back(std::move(name));
  }
  return out;
}
}  // namespace

Result<std::vector<std::string>> PcscChannel::list_readers() {
  Impl impl;
  LONG rc = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &impl.ctx);
  if (rc != SCARD_S_SUCCESS) return pcsc_error("connecting to the PC/SC service", rc);
  impl.have_ctx = true;
  return readers_of(impl.ctx);
}

Result<std::unique_ptr<PcscChannel>> PcscChannel::open(const std::string& reader) {
  std::unique_ptr<PcscChannel> ch(new PcscChannel);
  ch->impl_ = std::make_unique<Impl>();
  Impl& d = *ch->impl_;
  LONG rc = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &d.ctx);
  if (rc != SCARD_S_SUCCESS) return pcsc_error("connecting to the PC/SC service", rc);
  d.have_ctx = true;
  UTKIT_ASSIGN(std::vector<std::string> readers, readers_of(d.ctx));
  LONG last = SCARD_E_NO_READERS_AVAILABLE;
  for (const std::string& name : readers) {
    if (!reader.empty() && name != reader) continue;
    rc = SCardConnect(d.ctx, name.c_str(), SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &d.card,
                      &d.protocol);
    if (rc == SCARD_S_SUCCESS) {
      d.have_card = true;
      ch->reader_ = name;
      return ch;
    }
    last = rc;
  }
  if (!reader.empty() && last == SCARD_E_NO_READERS_AVAILABLE) {
    return Error(Errc::aka_card_io, "no smart-card reader named '" + reader + "'");
  }
  return pcsc_error("connecting to a card", last);
}

PcscChannel::~PcscChannel() = default;

Result<Bytes> PcscChannel::transmit(ByteView command) {
  const SCARD_IO_REQUEST* pci = impl_->protocol == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
  std::uint8_t rsp[258];
  DWORD len = sizeof rsp;
  LONG rc = SCardTransmit(impl_->card, pci, command.data(), static_cast<DWORD>(command.size()), nullptr, rsp, &len);
  if (rc != SCARD_S_SUCCESS) return pcsc_error("sending an APDU to the card", rc);
  Bytes out(rsp, rsp + len);
  secure_wipe(rsp, sizeof rsp);
  return out;
}

}  // namespace utkit::posix
