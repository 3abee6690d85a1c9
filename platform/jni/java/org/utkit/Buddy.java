package org.utkit;

/** One entry of a buddy list. */
public final class Buddy {
  private final String uri;
  private final String displayName;

  public Buddy(String uri, String displayName) {
    this.uri = uri;
    this.displayName = displayName == null ? "" : displayName;
  }

  public String getUri() { return uri; }
  /** "" when the entry has none. */
  public String getDisplayName() { return displayName; }

  @Override
  public String toString() { return displayName.isEmpty() ? uri : uri + " \"" + displayName + "\""; }
}
