import java.util.List;
import org.utkit.Buddy;
import org.utkit.Config;
import org.utkit.Identity;
import org.utkit.SoftUsim;
import org.utkit.UtException;
import org.utkit.UtSession;

/**
 * A minimal Java app on utkit: list the user's buddies over Ut.
 *   java -Djava.library.path=DIR -cp utkit.jar:. ListBuddies XCAP_ROOT BSF_URL CA_FILE K OPC IMSI IMPU
 * A software USIM here; an Android app implements org.utkit.Usim with
 * TelephonyManager.getIccAuthentication instead (docs/android.md).
 */
public final class ListBuddies {
  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println("usage: ListBuddies XCAP_ROOT BSF_URL CA_FILE K OPC IMSI IMPU");
      System.exit(2);
    }
    Identity id = Identity.ofImsi(args[5], 2, args[6]);
    Config config = new Config().set("xcap.root", args[0]).set("bsf.url", args[1]).set("tls.ca_file", args[2]);
    try (SoftUsim usim = new SoftUsim(hex(args[3]), hex(args[4]), id);
         UtSession session = new UtSession(config, id, usim, null)) {
      List<Buddy> buddies = session.buddies();  // bootstrap, TLS, Digest and XCAP happen as needed
      System.out.println(buddies.size() + " buddies:");
      for (Buddy b : buddies) System.out.println("  " + b);
    } catch (UtException e) {
      System.err.println(e.getErrorName() + ": " + e.getMessage());
      System.exit(1);
    }
  }

  static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; ++i) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    return b;
  }
}
