package io.redpacket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.codec.Topics;
import io.redpacket.core.Audit;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.kafka.TopicReader;
import io.redpacket.simulator.AuditRunner;
import io.redpacket.simulator.ShakeProducer;
import io.redpacket.simulator.WavePlan;
import io.redpacket.stack.LocalKafka;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A stack stopped with its data kept and started again goes on where it stopped: nothing is read twice. */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class KeptStackResumeTest {
  final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

  @Test
  void aKeptStackResumesFromItsLastCheckpointAndTheAuditStaysClean() throws Exception {
    Path dir = Files.createTempDirectory("kept-stack");
    PoolDefinition pool;
    try (LocalStack stack = LocalStack.start(dir, true, 4, 2, 0, Duration.ofMillis(500), Duration.ofHours(1), Duration.ofHours(1), quiet)) {
      long now = System.currentTimeMillis();
      pool = PoolDefinition.newBuilder().setPoolId("kept").setSponsor("acme").setTotalCents(100_000).setTotalCount(500)
          .setSets(5).setMinCents(1).setMaxCents(10_000).setStartMillis(now - 1000).setEndMillis(now + 600_000)
          .setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false).setCreatedMillis(now).build();
      PoolWriter.create(stack.bootstrap(), Topics.POOLS, pool);
      ShakeProducer.run(stack.bootstrap(), Topics.SHAKES, pool, WavePlan.standard(pool, 2_000, 1), 5_000, 0,
          Duration.ofMinutes(1), n -> {});
      // Committed outcomes mean the checkpoint covering them completed: it is what the restart resumes from.
      awaitOutcomes(stack.bootstrap(), 5_000);
    }
    assertThat(LocalFlink.latestCheckpoint(dir.resolve("flink").resolve("checkpoints").resolve(io.redpacket.jobs.allocation.AllocationJob.NAME))).isPresent();
    try (LocalStack stack = LocalStack.start(dir, true, 4, 2, 0, Duration.ofMillis(500), Duration.ofHours(1), Duration.ofHours(1), quiet)) {
      ShakeProducer.run(stack.bootstrap(), Topics.SHAKES, pool, WavePlan.standard(pool, 2_000, 2), 3_000, 0,
          Duration.ofMinutes(1), n -> {});
      awaitOutcomes(stack.bootstrap(), 8_000);
      Audit.Report report = AuditRunner.run(stack.bootstrap(), "");
      assertThat(report.clean()).as(report.render()).isTrue();
      assertThat(TopicReader.forEach(stack.bootstrap(), Topics.SHAKE_OUTCOMES, true, r -> {}))
          .as("one outcome per shake record over both runs, none twice").isEqualTo(8_000);
    }
    LocalKafka.deleteRecursively(dir);
  }

  private static void awaitOutcomes(String bootstrap, long expected) {
    TopicReader.awaitCommitted(bootstrap, Topics.SHAKE_OUTCOMES, expected, Duration.ofMinutes(2));
  }
}
