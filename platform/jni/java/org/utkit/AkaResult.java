package org.utkit;

import java.util.Arrays;

/**
 * What the USIM's AKA step gave: RES/CK/IK, AUTS (sync failure), a MAC
 * failure (the network is not authentic), or an error (AKA could not run).
 * The SDK copies the bytes and the binding wipes these arrays afterwards.
 */
public final class AkaResult {
  public static final int SUCCESS = 0;
  public static final int SYNC_FAILURE = 1;
  public static final int MAC_FAILURE = 2;
  public static final int ERROR = 3;

  final int outcome;
  final byte[] res;
  final byte[] ck;
  final byte[] ik;
  final byte[] auts;
  final String message;

  private AkaResult(int outcome, byte[] res, byte[] ck, byte[] ik, byte[] auts, String message) {
    this.outcome = outcome;
    this.res = res;
    this.ck = ck;
    this.ik = ik;
    this.auts = auts;
    this.message = message;
  }

  /** RES is 4 to 16 bytes, CK and IK 16 bytes each. */
  public static AkaResult success(byte[] res, byte[] ck, byte[] ik) {
    if (res == null || res.length < 4 || res.length > 16 || ck == null || ck.length != 16 || ik == null
        || ik.length != 16) {
      throw new IllegalArgumentException("RES must be 4-16 bytes, CK and IK 16 bytes each");
    }
    return new AkaResult(SUCCESS, res.clone(), ck.clone(), ik.clone(), null, null);
  }

  /** AUTS is 14 bytes. */
  public static AkaResult syncFailure(byte[] auts) {
    if (auts == null || auts.length != 14) throw new IllegalArgumentException("AUTS must be 14 bytes");
    return new AkaResult(SYNC_FAILURE, null, null, null, auts.clone(), null);
  }

  public static AkaResult macFailure() { return new AkaResult(MAC_FAILURE, null, null, null, null, null); }

  /** AKA could not run (no card, card I/O); `why` reaches the app in the error's message. */
  public static AkaResult error(String why) { return new AkaResult(ERROR, null, null, null, null, why); }

  /**
   * From the card's AUTHENTICATE answer in TS 31.102 form ('DB' RES CK IK
   * [Kc] or 'DC' AUTS): what Android's
   * {@code TelephonyManager.getIccAuthentication(APPTYPE_USIM, AUTHTYPE_EAP_AKA, ...)}
   * returns, base64-decoded.
   */
  public static AkaResult fromCardResponse(byte[] answer) throws UtException {
    return Native.akaResultFromCard(answer);
  }

  public int getOutcome() { return outcome; }

  void wipe() {
    if (res != null) Arrays.fill(res, (byte) 0);
    if (ck != null) Arrays.fill(ck, (byte) 0);
    if (ik != null) Arrays.fill(ik, (byte) 0);
    if (auts != null) Arrays.fill(auts, (byte) 0);
  }
}
