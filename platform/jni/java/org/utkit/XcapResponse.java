package org.utkit;

/** The answer to a raw XCAP request. */
public final class XcapResponse {
  private final int status;
  private final String etag;
  private final String contentType;
  private final byte[] body;

  XcapResponse(int status, String etag, String contentType, byte[] body) {
    this.status = status;
    this.etag = etag;
    this.contentType = contentType;
    this.body = body;
  }

  public int getStatus() { return status; }
  public String getEtag() { return etag; }
  public String getContentType() { return contentType; }
  public byte[] getBody() { return body.clone(); }
  public String getBodyText() { return new String(body, java.nio.charset.StandardCharsets.UTF_8); }
}
