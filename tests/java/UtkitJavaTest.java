package org.utkit.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.utkit.AkaResult;
import org.utkit.Buddy;
import org.utkit.Config;
import org.utkit.Identity;
import org.utkit.LogSink;
import org.utkit.SoftUsim;
import org.utkit.Simservs;
import org.utkit.Stats;
import org.utkit.Status;
import org.utkit.Store;
import org.utkit.Usim;
import org.utkit.UtException;
import org.utkit.UtKit;
import org.utkit.UtSession;
import org.utkit.XcapResponse;

/**
 * The Java binding against a netsim process, on the desktop JVM:
 *   UtkitJavaTest NAF_PORT BSF_PORT CA_FILE
 * Prints "ok"/"FAIL" per check; exit code 1 when any failed.
 */
public final class UtkitJavaTest {
  static int failures = 0;

  static void check(boolean ok, String what) {
    System.out.println((ok ? "ok   " : "FAIL ") + what);
    if (!ok) failures++;
  }

  static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; ++i) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    return b;
  }

  static final String K = "465b5ce8b199b49faa5f0a2ee238a6bc";
  static final String OPC = "cd63cb71954a9f4e48a5994e37a02baf";

  /** The app's USIM: a Java object that hands AKA to the SDK's soft USIM (standing for the card). */
  static final class JavaUsim implements Usim {
    final SoftUsim card;
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean macFailure;
    volatile RuntimeException fail;

    JavaUsim(SoftUsim card) { this.card = card; }

    @Override
    public AkaResult authenticate(byte[] rand, byte[] autn) throws Exception {
      calls.incrementAndGet();
      if (fail != null) throw fail;
      if (macFailure) return AkaResult.macFailure();
      return card.authenticate(rand, autn);
    }
  }

  /** The app's store: a map (a phone would encrypt with a Keystore key). */
  static final class MapStore implements Store {
    final Map<String, byte[]> values = new HashMap<>();

    @Override
    public synchronized byte[] get(String key) { return values.get(key); }

    @Override
    public synchronized void put(String key, byte[] value) { values.put(key, value.clone()); }

    @Override
    public synchronized void remove(String key) { values.remove(key); }
  }

  static final class CollectingLog implements LogSink {
    final StringBuilder text = new StringBuilder();

    @Override
    public synchronized void log(int level, String component, String message) {
      text.append(component).append(": ").append(message).append('\n');
    }
  }

  static Config config(String naf, String bsf, String ca) throws UtException {
    return new Config()
        .set("xcap.root", "https://127.0.0.1:" + naf + "/xcap-root")
        .set("bsf.url", "http://127.0.0.1:" + bsf + "/")
        .set("tls.ca_file", ca);
  }

  public static void main(String[] args) throws Exception {
    final String naf = args[0], bsf = args[1], ca = args[2];
    System.out.println("# " + UtKit.buildInfo());
    final long refsAtStart = UtKit.liveGlobalRefs();
    check(UtKit.version().matches("\\d+\\.\\d+\\.\\d+"), "version " + UtKit.version());

    // Configuration errors surface at set(), naming the key.
    try {
      new Config().set("xcap.rooot", "x");
      check(false, "an unknown key throws");
    } catch (UtException e) {
      check(e.getStatus() == Status.CONFIG && e.getMessage().contains("xcap.rooot") && e.getModule().equals("config"),
          "an unknown key throws UtException(CONFIG) naming it");
    }

    Identity id = Identity.ofImsi("001010000000001", 2, "sip:alice@example.test");
    SoftUsim card = new SoftUsim(hex(K), hex(OPC), id);
    JavaUsim usim = new JavaUsim(card);
    MapStore store = new MapStore();
    CollectingLog log = new CollectingLog();
    final AtomicInteger sockets = new AtomicInteger();
    Config cfg = config(naf, bsf, ca).setLog(log, LogSink.TRACE).setSocketHook(fd -> {
      sockets.incrementAndGet();
      return fd >= 0;
    });

    // Bootstrap and buddies, with the Java USIM and store.
    try (UtSession s = new UtSession(cfg, id, usim, store)) {
      check(s.getXui().equals("sip:alice@example.test"), "XUI from the identity");
      String btid = s.bootstrap(false);
      check(btid.contains("@") && usim.calls.get() == 1, "bootstrap through the Java USIM: " + btid);
      s.addBuddy("sip:bob@example.test", "Bob \u263A \uD83D\uDE00");  // a smiley and an emoji (a surrogate pair)
      s.addBuddy("sip:carol@example.test", null);
      s.removeBuddy("sip:carol@example.test");
      List<Buddy> buddies = s.buddies();
      check(buddies.size() == 1 && buddies.get(0).getUri().equals("sip:bob@example.test"), "add, remove, list");
      check(buddies.get(0).getDisplayName().equals("Bob \u263A \uD83D\uDE00"),
          "a display name with an emoji comes back unchanged (real UTF-8 across JNI)");
      s.renameBuddy("sip:bob@example.test", "Robert");
      check(s.buddies().get(0).getDisplayName().equals("Robert"), "rename");
      s.allow("sip:bob@example.test");
      s.block("sip:mallory@example.test");

      Simservs ss = s.setCallForwarding(Simservs.CF_NO_REPLY, true, "sip:voicemail@example.test", 25);
      check(ss.isForwardingEnabled(Simservs.CF_NO_REPLY)
              && ss.getForwardingTarget(Simservs.CF_NO_REPLY).equals("sip:voicemail@example.test")
              && ss.getNoReplyTimer() == 25,
          "forwarding on no reply to voicemail after 25 s");
      ss = s.setCallerIdRestriction(true);
      check(ss.getCallerIdRestricted() == 1, "caller ID restricted");
      ss = s.supplementaryServices();
      check(ss.isProvisioned(Simservs.CALL_WAITING), "call waiting provisioned");

      XcapResponse r = s.xcapGet("resource-lists/index");
      check(r.getStatus() == 200 && r.getBodyText().contains("Robert") && !r.getEtag().isEmpty(), "raw XCAP GET");
      try {
        s.xcapGet("resource-lists/nothing-here");
        check(false, "a missing document throws");
      } catch (UtException e) {
        check(e.getStatus() == Status.NOT_FOUND && e.getErrorName().equals("xcap.not_found"),
            "a missing document throws NOT_FOUND (xcap.not_found)");
      }
      Stats st = s.stats(false);
      check(st.bootstraps == 1 && st.exchanges > 5 && st.bytesReceived > 0, "stats: " + st);
      check(sockets.get() >= 2, "the socket hook saw the sockets (" + sockets.get() + ")");
    }
    check(!log.text.toString().contains(K), "K is not in the log");
    check(log.text.length() > 0, "the log sink received lines");
    check(store.values.containsKey("gba-context"), "the bootstrapping context went to the Java store");

    // A restarted app: a new session on the same store costs no bootstrap.
    try (UtSession s = new UtSession(config(naf, bsf, ca), id, usim, store)) {
      int before = usim.calls.get();
      s.addBuddy("sip:dave@example.test", "Dave");
      Stats st = s.stats(false);
      check(st.bootstraps == 0 && st.exchanges == 1 && st.tlsResumed == 1 && usim.calls.get() == before,
          "restarted: no bootstrap, resumed TLS, one exchange: " + st);
    }

    // A MAC failure from the Java USIM.
    usim.macFailure = true;
    try (UtSession s = new UtSession(config(naf, bsf, ca), id, usim, new MapStore())) {
      s.buddies();
      check(false, "a MAC failure throws");
    } catch (UtException e) {
      check(e.getStatus() == Status.BOOTSTRAP && e.getErrorName().equals("gba.network_not_authentic")
              && e.getModule().equals("gba"),
          "a MAC failure throws UtException(BOOTSTRAP, gba.network_not_authentic)");
    }
    usim.macFailure = false;

    // A USIM that throws: the exception's text reaches the app.
    usim.fail = new IllegalStateException("no SIM in slot 1");
    try (UtSession s = new UtSession(config(naf, bsf, ca), id, usim, new MapStore())) {
      s.bootstrap(false);
      check(false, "a throwing USIM fails the bootstrap");
    } catch (UtException e) {
      check(e.getStatus() == Status.USIM && e.getMessage().contains("no SIM in slot 1"),
          "a Java exception in the USIM becomes UtException(USIM) with its text: " + e.getMessage());
    }
    usim.fail = null;

    // close() from inside one of the session's own callbacks is refused, not a deadlock.
    final AtomicReference<UtSession> self = new AtomicReference<>();
    final AtomicReference<Throwable> closeFromCallback = new AtomicReference<>();
    Usim closing = (rand, autn) -> {
      try {
        self.get().close();
      } catch (Throwable t) {
        closeFromCallback.set(t);
      }
      return card.authenticate(rand, autn);
    };
    try (UtSession s = new UtSession(config(naf, bsf, ca).set("concurrent_bootstrap", "false"), id, closing,
             new MapStore())) {
      self.set(s);
      s.bootstrap(true);
      check(closeFromCallback.get() instanceof IllegalStateException,
          "close() from the session's own USIM callback throws IllegalStateException");
    }

    // A string with U+0000 cannot reach C truncated.
    try (UtSession s = new UtSession(config(naf, bsf, ca), id, usim, store)) {
      s.allow("sip:attacker@evil.example\u0000@trusted.example");
      check(false, "U+0000 refused");
    } catch (IllegalArgumentException e) {
      check(true, "a string with U+0000 is refused with IllegalArgumentException");
    }

    // The card's AUTHENTICATE answer, as getIccAuthentication gives it.
    byte[] answer = new byte[1 + 1 + 8 + 1 + 16 + 1 + 16];
    answer[0] = (byte) 0xDB;
    answer[1] = 8;
    answer[10] = 16;
    answer[27] = 16;
    check(AkaResult.fromCardResponse(answer).getOutcome() == AkaResult.SUCCESS, "a 'DB' card answer parses");
    try {
      AkaResult.fromCardResponse(new byte[] {(byte) 0xDB, 8, 1});
      check(false, "a truncated card answer throws");
    } catch (UtException e) {
      check(e.getStatus() == Status.USIM, "a truncated card answer throws UtException(USIM)");
    }

    // Cancel from another thread: a server that accepts and never answers.
    try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      final List<Socket> held = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) held.add(silent.accept());
        } catch (IOException e) {
          // closed
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String root = "http://127.0.0.1:" + silent.getLocalPort();
      Config c = new Config().set("xcap.root", root + "/xcap-root").set("bsf.url", root + "/")
          .set("timeouts.io_ms", "60000").set("concurrent_bootstrap", "false");
      try (UtSession s = new UtSession(c, id, usim, null)) {
        final AtomicReference<Throwable> got = new AtomicReference<>();
        Thread worker = new Thread(() -> {
          try {
            s.buddies();
          } catch (Throwable t) {
            got.set(t);
          }
        });
        long t0 = System.nanoTime();
        worker.start();
        Thread.sleep(300);
        s.cancel();
        worker.join(10000);
        long ms = (System.nanoTime() - t0) / 1000000;
        Throwable t = got.get();
        check(!worker.isAlive() && t instanceof UtException && ((UtException) t).getStatus() == Status.CANCELLED,
            "cancel() from another thread ends a blocked call with CANCELLED after " + ms + " ms");
        s.resetCancel();
        s.setTimeoutMillis(300);
        try {
          s.buddies();
          check(false, "a deadline ends the call");
        } catch (UtException e) {
          check(e.getStatus() == Status.TIMEOUT, "setTimeoutMillis(300) ends the call with TIMEOUT");
        }
        // The network goes away (NetworkCallback.onLost): a blocked call ends at once.
        s.setTimeoutMillis(0);
        final AtomicReference<Throwable> lost = new AtomicReference<>();
        Thread blocked = new Thread(() -> {
          try {
            s.buddies();
          } catch (Throwable failure) {
            lost.set(failure);
          }
        });
        long t1 = System.nanoTime();
        blocked.start();
        Thread.sleep(300);
        s.networkChanged();
        blocked.join(10000);
        long ms1 = (System.nanoTime() - t1) / 1000000;
        Throwable l = lost.get();
        check(!blocked.isAlive() && l instanceof UtException && ((UtException) l).getStatus() == Status.NETWORK
                && "net.changed".equals(((UtException) l).getErrorName()),
            "networkChanged() from another thread ends a blocked call with NETWORK / net.changed after " + ms1 + " ms");
      }
      for (Socket h : held) h.close();
    }

    // Many sessions: no JNI global reference outlives its session.
    final long before = UtKit.liveGlobalRefs();
    for (int i = 0; i < 200; ++i) {
      try (UtSession s = new UtSession(config(naf, bsf, ca).setLog(new CollectingLog(), LogSink.INFO)
               .setSocketHook(fd -> true), id, usim, store)) {
        if (i % 20 == 0) s.buddies();  // some of them talk to the server too
      }
    }
    check(UtKit.liveGlobalRefs() == before,
        "200 sessions made and closed: live global refs " + before + " -> " + UtKit.liveGlobalRefs());
    card.close();
    check(UtKit.liveGlobalRefs() >= refsAtStart, "the class cache is still held");

    // Using a closed session is an IllegalStateException, not a crash.
    UtSession closed = new UtSession(config(naf, bsf, ca), id, usim, null);
    closed.close();
    try {
      closed.buddies();
      check(false, "a closed session refuses calls");
    } catch (IllegalStateException e) {
      check(true, "a closed session refuses calls with IllegalStateException");
    }
    System.out.println(failures + " failed");
    System.exit(failures == 0 ? 0 : 1);
  }
}
