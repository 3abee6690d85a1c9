package org.utkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A session's configuration: keys with the names of utcli's configuration
 * ("xcap.root", "bsf.url", "tls.ca_file", "tls.ca_pem", "operator",
 * "timeouts.request_ms", ...; docs/c-api.md has the table). Each value is
 * checked when it is set.
 */
public final class Config {
  final List<String[]> entries = new ArrayList<>();
  LogSink log;
  int logLevel = LogSink.INFO;
  SocketHook socketHook;
  byte[] sessionKey;

  /** @throws UtException CONFIG naming the key, when the key is unknown or the value unusable. */
  public Config set(String key, String value) throws UtException {
    Native.checkConfig(key, value);
    entries.add(new String[] {key, value});
    return this;
  }

  public Config setLog(LogSink sink, int minLevel) {
    this.log = sink;
    this.logLevel = minLevel;
    return this;
  }

  public Config setSocketHook(SocketHook hook) {
    this.socketHook = hook;
    return this;
  }

  /** The key that protects TLS sessions kept in the store (16-64 bytes, from the platform keystore). */
  public Config setSessionKey(byte[] key) {
    this.sessionKey = key == null ? null : Arrays.copyOf(key, key.length);
    return this;
  }
}
