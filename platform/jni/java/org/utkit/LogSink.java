package org.utkit;

/** Receives utkit's log lines, already redacted (no keys, no Digest responses). */
public interface LogSink {
  int TRACE = 0, DEBUG = 1, INFO = 2, WARN = 3, ERROR = 4, OFF = 5;

  void log(int level, String component, String message);
}
