package org.utkit;

/**
 * Called with each new socket's file descriptor before it connects. On
 * Android, bind it to the network that carries XCAP:
 * {@code ParcelFileDescriptor p = ParcelFileDescriptor.fromFd(fd);
 *  network.bindSocket(p.getFileDescriptor()); p.close();}
 * Returning false (or throwing) stops that connection.
 */
public interface SocketHook {
  boolean onSocket(int fd) throws Exception;
}
