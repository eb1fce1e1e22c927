package io.redpacket.stack;

import java.io.IOException;
import java.io.InputStream;

/**
 * Entry point of the broker's child JVM: Kafka's own main, plus a watchdog on stdin. The parent
 * holds the pipe; when the parent dies for any reason (even kill -9) the pipe closes, and the
 * broker shuts down cleanly instead of lingering as an orphan.
 */
public final class BrokerMain {
  /** System property: run without the watchdog, as a node of `./redpacket cluster`, which outlives its starter. */
  public static final String DETACHED = "redpacket.detached";

  private BrokerMain() {}

  public static void main(String[] args) {
    if (Boolean.getBoolean(DETACHED)) {
      kafka.Kafka.main(args);
      return;
    }
    Thread watchdog = new Thread(() -> {
      try (InputStream in = System.in) {
        while (in.read() >= 0) {
          // the parent writes nothing; EOF means it is gone
        }
      } catch (IOException ignored) {
        // a broken pipe means the same
      }
      System.exit(0); // runs Kafka's shutdown hook: a controlled shutdown
    }, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    kafka.Kafka.main(args);
  }
}
