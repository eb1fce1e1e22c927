package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.stack.LocalKafka;
import io.redpacket.stack.SharedKafka;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hostile-input drill of {@code ./redpacket drill hostile}, on a small wave: every bad kind of
 * record on every input topic while the wave runs; no job fails or restarts, each bad record has its
 * dead letter with its reason (or its answer), the audits are clean, and the good records' grants
 * and outcomes equal a calm run's byte for byte.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class HostileInputDrillTest {
  @Test
  void noBadRecordStopsOrFoolsThePipeline() throws Exception {
    Path dir = Files.createTempDirectory("hostile-drill");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try {
      HostileDrill.Result result = HostileDrill.run(HostileDrill.Settings.small(dir, port).on(SharedKafka.bootstrap()), System.out);
      assertThat(result.failures()).as("what the drill found").isEmpty();
      assertThat(result.hostile()).as("bad records written").isGreaterThan(100);
      assertThat(result.deadLetters() + result.answered() + result.refusedByBroker()).isEqualTo(result.hostile());
      assertThat(result.answered()).as("unknown pools, grants and shares answered").isGreaterThanOrEqualTo(79);
      assertThat(result.hostileHttp()).as("hostile HTTP requests sent").isGreaterThanOrEqualTo(170);
      assertThat(result.goodHttp()).as("good users' shakes answered among them").isEqualTo(160);
    } finally {
      LocalKafka.deleteRecursively(dir);
    }
  }
}
