package org.utkit;

/** The C API's status codes (ut_status in utkit/utkit.h). */
public final class Status {
  private Status() {}

  public static final int OK = 0;
  public static final int INVALID_ARGUMENT = 1;
  public static final int NO_MEMORY = 2;
  public static final int BUSY = 3;
  public static final int CANCELLED = 4;
  public static final int TIMEOUT = 5;
  public static final int NETWORK = 6;
  public static final int TLS = 7;
  public static final int HTTP = 8;
  public static final int AUTH = 9;
  public static final int USIM = 10;
  public static final int BOOTSTRAP = 11;
  public static final int XCAP = 12;
  public static final int NOT_FOUND = 13;
  public static final int CONFIG = 14;
  public static final int STORAGE = 15;
  public static final int NOT_SUPPORTED = 16;
  public static final int INTERNAL = 17;

  private static final String[] NAMES = {"OK", "INVALID_ARGUMENT", "NO_MEMORY", "BUSY", "CANCELLED", "TIMEOUT",
      "NETWORK", "TLS", "HTTP", "AUTH", "USIM", "BOOTSTRAP", "XCAP", "NOT_FOUND", "CONFIG", "STORAGE",
      "NOT_SUPPORTED", "INTERNAL"};

  public static String name(int status) {
    return status >= 0 && status < NAMES.length ? NAMES[status] : "UNKNOWN(" + status + ")";
  }
}
