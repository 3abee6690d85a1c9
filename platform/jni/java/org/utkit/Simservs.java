package org.utkit;

/** The MMTel supplementary services as the server has them (a snapshot). */
public final class Simservs {
  /** Services: indexes for {@link #isProvisioned} and {@link #isActive}. */
  public static final int CALL_FORWARDING = 0, INCOMING_BARRING = 1, OUTGOING_BARRING = 2, OIP = 3, OIR = 4,
      TIP = 5, TIR = 6, CALL_WAITING = 7;
  /** Forwarding conditions. */
  public static final int CF_UNCONDITIONAL = 0, CF_BUSY = 1, CF_NO_REPLY = 2, CF_NOT_REACHABLE = 3,
      CF_NOT_REGISTERED = 4;
  /** Barring conditions. */
  public static final int CB_ALL_OUTGOING = 0, CB_OUTGOING_INTERNATIONAL = 1, CB_OUTGOING_INTERNATIONAL_EXHC = 2,
      CB_ALL_INCOMING = 3, CB_INCOMING_ROAMING = 4, CB_ANONYMOUS = 5;

  final boolean[] provisioned = new boolean[8];
  final boolean[] active = new boolean[8];
  final boolean[] forwardingExists = new boolean[5];
  final boolean[] forwardingEnabled = new boolean[5];
  final String[] forwardingTarget = new String[5];
  final boolean[] barringExists = new boolean[6];
  final boolean[] barringEnabled = new boolean[6];
  int noReplyTimer = -1;
  int oirRestricted = -1;
  int tirRestricted = -1;

  Simservs() {}

  public boolean isProvisioned(int service) { return provisioned[service]; }
  public boolean isActive(int service) { return active[service]; }
  public boolean hasForwardingRule(int condition) { return forwardingExists[condition]; }
  public boolean isForwardingEnabled(int condition) { return forwardingEnabled[condition]; }
  /** "" when the rule has no target. */
  public String getForwardingTarget(int condition) { return forwardingTarget[condition]; }
  public boolean hasBarringRule(int condition) { return barringExists[condition]; }
  public boolean isBarringEnabled(int condition) { return barringEnabled[condition]; }
  /** Seconds, or -1 when the document has none. */
  public int getNoReplyTimer() { return noReplyTimer; }
  /** 1 restricted, 0 not, -1 not in the document. */
  public int getCallerIdRestricted() { return oirRestricted; }
  public int getTerminatingIdRestricted() { return tirRestricted; }
}
