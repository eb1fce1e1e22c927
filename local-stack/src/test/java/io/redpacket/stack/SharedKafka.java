package io.redpacket.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * One broker for a whole test run (one per test JVM), started on first use and stopped when the
 * JVM exits. Tests give themselves unique topics instead of a broker each, so the suite stays
 * fast on two cores.
 */
public final class SharedKafka {
  private static LocalKafka kafka;

  private SharedKafka() {}

  public static synchronized LocalKafka get() {
    if (kafka == null) {
      try {
        kafka = LocalKafka.start(Files.createTempDirectory("redpacket-test-kafka"), false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      LocalKafka started = kafka;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        keepLog(started);
        started.close();
      }, "close-shared-kafka"));
    }
    return kafka;
  }

  /**
   * Copies the broker's log into the module's {@code target} before its directory is deleted: when a test failed in
   * CI, the broker's errors say why (a producer's batch refused on every retry, for one).
   */
  private static void keepLog(LocalKafka broker) {
    Path log = broker.dataDir().resolve("logs/server.log");
    Path target = Path.of("target");
    try {
      if (Files.exists(log) && Files.isDirectory(target)) {
        Files.copy(log, target.resolve("shared-kafka-server.log"), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // best effort: the JVM is exiting
    }
  }

  public static String bootstrap() {
    return get().bootstrapServers();
  }
}
