package org.utkit;

/**
 * utkit's software USIM (Milenage with TS 33.102 Annex C SQN handling), for
 * tests, demos and devices with keys in software. Its SQN state lives in
 * memory (a restart accepts replayed challenges): tests only.
 */
public final class SoftUsim implements Usim, AutoCloseable {
  private long handle;

  public SoftUsim(byte[] k, byte[] opc, Identity identity) throws UtException {
    handle = Native.softUsimNew(k, opc, identity);
  }

  @Override
  public synchronized AkaResult authenticate(byte[] rand, byte[] autn) throws UtException {
    if (handle == 0) throw new IllegalStateException("SoftUsim is closed");
    return Native.usimAuthenticate(handle, rand, autn);
  }

  @Override
  public synchronized void close() {
    if (handle != 0) {
      Native.usimFree(handle);
      handle = 0;
    }
  }
}
