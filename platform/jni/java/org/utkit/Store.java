package org.utkit;

/**
 * Where utkit keeps what survives a restart (bootstrapping context, TLS
 * sessions, Digest state, cached documents). Values may hold secrets: keep
 * them app-private (on Android, encrypted with a Keystore key). put must
 * replace a value atomically. May be called from several threads.
 */
public interface Store {
  /** The value, or null when there is none. */
  byte[] get(String key) throws Exception;
  void put(String key, byte[] value) throws Exception;
  void remove(String key) throws Exception;
}
