package org.utkit;

/** Library-wide facts. */
public final class UtKit {
  private UtKit() {}

  /** The loaded native library's version, "MAJOR.MINOR.PATCH". */
  public static String version() { return Native.version(); }

  /** What the native library compiled (platform paths, TLS library): for bug reports. */
  public static String buildInfo() { return Native.buildInfo(); }

  /**
   * JNI global references the binding holds now (USIM, store, log and
   * socket-hook objects of open sessions, and its class cache). Closing every
   * session brings it back to the value it had before they were made.
   */
  public static long liveGlobalRefs() { return Native.liveGlobalRefs(); }
}
