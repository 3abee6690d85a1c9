package org.utkit;

/**
 * The USIM's AKA step, implemented by the app. On Android: build the
 * AUTHENTICATE data (0x10 RAND 0x10 AUTN), base64 it, call
 * {@code TelephonyManager.getIccAuthentication(APPTYPE_USIM, AUTHTYPE_EAP_AKA, data)}
 * and return {@link AkaResult#fromCardResponse} of the decoded answer (null
 * from the card means a MAC or other failure: see docs/android.md).
 * Called on a utkit worker or helper thread, one call at a time.
 */
public interface Usim {
  AkaResult authenticate(byte[] rand, byte[] autn) throws Exception;
}
