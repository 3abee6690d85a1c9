package org.utkit;

/** The JNI entry points (libutkit_jni.so, over libutkit.so's C API). */
final class Native {
  static {
    System.loadLibrary("utkit_jni");
  }

  private Native() {}

  static native String version();
  static native String buildInfo();
  static native long liveGlobalRefs();

  static native void checkConfig(String key, String value) throws UtException;
  static native AkaResult akaResultFromCard(byte[] answer) throws UtException;
  static native long softUsimNew(byte[] k, byte[] opc, Identity identity) throws UtException;
  static native AkaResult usimAuthenticate(long usim, byte[] rand, byte[] autn) throws UtException;
  static native void usimFree(long usim);

  static native long sessionNew(String[] keys, String[] values, LogSink log, int logLevel, SocketHook hook,
      byte[] sessionKey, Identity identity, Usim usim, Store store) throws UtException;
  static native void sessionFree(long session);
  static native void cancel(long session, boolean fire);
  static native String xui(long session);
  static native String bootstrap(long session, long timeoutMs, boolean force) throws UtException;
  static native Buddy[] buddies(long session, long timeoutMs, String list) throws UtException;
  static native void addBuddy(long session, long timeoutMs, String list, String uri, String name) throws UtException;
  static native void removeBuddy(long session, long timeoutMs, String list, String uri) throws UtException;
  static native void renameBuddy(long session, long timeoutMs, String list, String uri, String name)
      throws UtException;
  static native void rule(long session, long timeoutMs, String watcher, boolean allow) throws UtException;
  static native Simservs ssGet(long session, long timeoutMs) throws UtException;
  static native Simservs ssSetForwarding(long session, long timeoutMs, int condition, boolean enable, String target,
      int noReplyTimer) throws UtException;
  static native Simservs ssSetBarring(long session, long timeoutMs, int condition, boolean enable) throws UtException;
  static native Simservs ssSetCallerIdRestriction(long session, long timeoutMs, boolean restricted)
      throws UtException;
  static native Simservs ssSetCallWaiting(long session, long timeoutMs, boolean on) throws UtException;
  /** method: 0 GET, 1 PUT, 2 DELETE. */
  static native XcapResponse xcap(long session, long timeoutMs, int method, String selector, byte[] body)
      throws UtException;
  static native Stats stats(long session, boolean reset);
  static native void closeConnections(long session) throws UtException;
  static native void networkChanged(long session) throws UtException;
}
