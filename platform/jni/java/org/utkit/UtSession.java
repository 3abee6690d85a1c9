package org.utkit;

import java.util.Arrays;
import java.util.List;

/**
 * The Ut client: bootstraps (GBA) when needed, opens TLS with the TS 33.141
 * profile, answers the NAF's Digest challenge and runs XCAP on the user's
 * documents.
 *
 * <p>Threads: every call blocks (run it on a worker thread, never the UI
 * thread); one call at a time per session (a second concurrent call fails
 * with {@link Status#BUSY}). {@link #cancel()} and {@link #close()} may be
 * called from any thread: cancel ends the running call with
 * {@link Status#CANCELLED} and every later one until {@link #resetCancel()};
 * close cancels, waits for the running call and frees the native session.
 */
public final class UtSession implements AutoCloseable {
  private final Object lock = new Object();
  private long handle;  // written and read under lock
  private int inFlight;
  private boolean closed;
  private volatile long timeoutMillis;
  // True on a thread while it runs a call of this session (a callback that
  // closes the session it runs in would wait for itself).
  private final ThreadLocal<int[]> inCall = ThreadLocal.withInitial(() -> new int[1]);

  /**
   * No network here. The USIM and the store (may be null: nothing survives
   * the process) are kept until the session is closed.
   */
  public UtSession(Config config, Identity identity, Usim usim, Store store) throws UtException {
    if (config == null || identity == null || usim == null) {
      throw new IllegalArgumentException("a session needs a configuration, an identity and a USIM");
    }
    String[] keys = new String[config.entries.size()];
    String[] values = new String[keys.length];
    for (int i = 0; i < keys.length; ++i) {
      keys[i] = config.entries.get(i)[0];
      values[i] = config.entries.get(i)[1];
    }
    long h = Native.sessionNew(keys, values, config.log, config.logLevel, config.socketHook, config.sessionKey,
        identity, usim, store);
    synchronized (lock) {
      handle = h;
    }
  }

  /** A deadline for each call that follows (bootstrap included); 0: none of its own. */
  public void setTimeoutMillis(long ms) {
    if (ms < 0) throw new IllegalArgumentException("timeout must be >= 0");
    timeoutMillis = ms;
  }

  public void cancel() {
    synchronized (lock) {
      if (!closed) Native.cancel(handle, true);
    }
  }

  public void resetCancel() {
    synchronized (lock) {
      if (!closed) Native.cancel(handle, false);
    }
  }

  /**
   * The phone's network changed or went away (the XCAP network's
   * {@code onLost}, or a new network to use): a call running now ends at once
   * with {@link Status#NETWORK} (error name {@code net.changed}; call it again
   * on the new network), and the next call opens new connections through the
   * socket hook. Any thread, any time.
   */
  public void networkChanged() throws UtException {
    synchronized (lock) {
      if (!closed) Native.networkChanged(handle);
    }
  }

  private interface NativeCall<T> {
    T apply(long handle) throws UtException;
  }

  private interface NativeRun {
    void apply(long handle) throws UtException;
  }

  // One call on the native session: counted in flight, so that close() waits for it.
  private <T> T call(NativeCall<T> c) throws UtException {
    long h = enter();
    try {
      return c.apply(h);
    } finally {
      leave();
    }
  }

  private void run(NativeRun r) throws UtException {
    long h = enter();
    try {
      r.apply(h);
    } finally {
      leave();
    }
  }

  private long enter() {
    synchronized (lock) {
      if (closed) throw new IllegalStateException("the UtSession is closed");
      inFlight++;
      inCall.get()[0]++;
      return handle;
    }
  }

  private void leave() {
    synchronized (lock) {
      inFlight--;
      if (--inCall.get()[0] == 0) inCall.remove();
      lock.notifyAll();
    }
  }

  /** The user's public identity (XUI) the session uses. */
  public String getXui() {
    long h = enter();
    try {
      return Native.xui(h);
    } finally {
      leave();
    }
  }

  /** Bootstraps when there is no valid context (or always, with force); returns the B-TID. */
  public String bootstrap(boolean force) throws UtException {
    return call(h -> Native.bootstrap(h, timeoutMillis, force));
  }

  /** The configured buddy list. */
  public List<Buddy> buddies() throws UtException { return buddies(null); }

  public List<Buddy> buddies(String list) throws UtException {
    return Arrays.asList(call(h -> Native.buddies(h, timeoutMillis, list)));
  }

  /** Adds or replaces the entry for uri (displayName may be null). */
  public void addBuddy(String uri, String displayName) throws UtException { addBuddy(null, uri, displayName); }

  public void addBuddy(String list, String uri, String displayName) throws UtException {
    run(h -> Native.addBuddy(h, timeoutMillis, list, uri, displayName));
  }

  public void removeBuddy(String uri) throws UtException { removeBuddy(null, uri); }

  public void removeBuddy(String list, String uri) throws UtException {
    run(h -> Native.removeBuddy(h, timeoutMillis, list, uri));
  }

  public void renameBuddy(String uri, String displayName) throws UtException {
    run(h -> Native.renameBuddy(h, timeoutMillis, null, uri, displayName));
  }

  /** Presence rules: let a watcher see the user's presence. */
  public void allow(String watcher) throws UtException {
    run(h -> Native.rule(h, timeoutMillis, watcher, true));
  }

  public void block(String watcher) throws UtException {
    run(h -> Native.rule(h, timeoutMillis, watcher, false));
  }

  public Simservs supplementaryServices() throws UtException {
    return call(h -> Native.ssGet(h, timeoutMillis));
  }

  /**
   * Call forwarding for a condition ({@code Simservs.CF_*}). Enabling needs a
   * target (a sip:/tel: URI or a number); noReplyTimer (5..180 s) only with
   * CF_NO_REPLY, 0 keeps the server's.
   */
  public Simservs setCallForwarding(int condition, boolean enable, String target, int noReplyTimer)
      throws UtException {
    return call(h -> Native.ssSetForwarding(h, timeoutMillis, condition, enable, target, noReplyTimer));
  }

  public Simservs setCallBarring(int condition, boolean enable) throws UtException {
    return call(h -> Native.ssSetBarring(h, timeoutMillis, condition, enable));
  }

  /** true hides the caller's identity by default (OIR). */
  public Simservs setCallerIdRestriction(boolean restricted) throws UtException {
    return call(h -> Native.ssSetCallerIdRestriction(h, timeoutMillis, restricted));
  }

  public Simservs setCallWaiting(boolean on) throws UtException {
    return call(h -> Native.ssSetCallWaiting(h, timeoutMillis, on));
  }

  /** Raw XCAP: selector "AUID/DOCUMENT[/~~/NODE-SELECTOR]". */
  public XcapResponse xcapGet(String selector) throws UtException { return xcap(0, selector, null); }

  public XcapResponse xcapPut(String selector, byte[] body) throws UtException { return xcap(1, selector, body); }

  public XcapResponse xcapDelete(String selector) throws UtException { return xcap(2, selector, null); }

  private XcapResponse xcap(int method, String selector, byte[] body) throws UtException {
    return call(h -> Native.xcap(h, timeoutMillis, method, selector, body));
  }

  /** Counters since the session was made or last reset. */
  public Stats stats(boolean reset) {
    long h = enter();
    try {
      return Native.stats(h, reset);
    } finally {
      leave();
    }
  }

  /** Closes the NAF connection; the next call resumes TLS and reuses the Digest nonce. */
  public void closeConnections() throws UtException {
    run(h -> Native.closeConnections(h));
  }

  /**
   * Cancels the running call, waits for it, and frees the native session.
   *
   * @throws IllegalStateException when called from inside a callback of one
   *     of this session's calls (it would wait for itself): close it after
   *     the call returns.
   */
  @Override
  public void close() {
    final int depth = inCall.get()[0];
    if (depth == 0) inCall.remove();
    if (depth > 0) {
      throw new IllegalStateException("close() from inside a call of this UtSession; close it after the call returns");
    }
    long h;
    synchronized (lock) {
      if (closed) return;
      closed = true;
      Native.cancel(handle, true);
      boolean interrupted = false;
      while (inFlight > 0) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) Thread.currentThread().interrupt();
      h = handle;
      handle = 0;
    }
    Native.sessionFree(h);
  }
}
