package org.utkit;

/**
 * The subscriber's identity as read from the card (Android: getSubscriberId,
 * getIsimImpi, getIsimImpu, getIsimDomain). With an IMSI and its MNC length
 * (2 or 3, from EF_AD), IMPI and home domain are derived (TS 23.003) unless
 * given.
 */
public final class Identity {
  public String imsi;
  public int mncLength;
  public String impi;
  public String impu;
  public String homeDomain;

  public Identity() {}

  public static Identity ofImsi(String imsi, int mncLength, String impu) {
    Identity id = new Identity();
    id.imsi = imsi;
    id.mncLength = mncLength;
    id.impu = impu;
    return id;
  }
}
