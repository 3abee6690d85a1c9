package org.utkit;

/**
 * A utkit call failed. {@link #getStatus()} is the coarse status of the C API
 * (one of the {@code Status} constants), {@link #getErrorName()} the SDK's
 * detailed, stable name ("gba.network_not_authentic"), {@link #getModule()}
 * its module ("gba"); the message says what failed and what to check.
 */
public class UtException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final int code;
  private final String name;
  private final String module;

  public UtException(int status, int code, String name, String module, String message) {
    super(message);
    this.status = status;
    this.code = code;
    this.name = name;
    this.module = module;
  }

  /** One of the {@link Status} constants. */
  public int getStatus() { return status; }
  /** The SDK's detailed code: module in the high byte; stable across releases. */
  public int getCode() { return code; }
  /** "xcap.not_found", "gba.network_not_authentic", ... */
  public String getErrorName() { return name; }
  /** "net", "tls", "http", "auth", "aka", "gba", "xcap", "config", "storage", "base". */
  public String getModule() { return module; }

  @Override
  public String toString() {
    return "UtException[" + Status.name(status) + " " + name + "]: " + getMessage();
  }
}
