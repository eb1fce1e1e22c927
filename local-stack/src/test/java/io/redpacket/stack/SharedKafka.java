package io.redpacket.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

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
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "close-shared-kafka"));
    }
    return kafka;
  }

  public static String bootstrap() {
    return get().bootstrapServers();
  }
}
