package org.utkit;

/** A session's counters (round trips, bytes on the wire, bootstraps). */
public final class Stats {
  public int roundTrips;
  public int exchanges;
  public int tcpConnects;
  public int tlsFull;
  public int tlsResumed;
  public long bytesSent;
  public long bytesReceived;
  public int bootstraps;
  public int resyncs;
  public int cacheHits;

  @Override
  public String toString() {
    return roundTrips + " round trips, " + exchanges + " exchanges, " + bytesSent + " B sent, " + bytesReceived
        + " B received, " + bootstraps + " bootstraps";
  }
}
