package io.redpacket.jobs.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.Shake;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Audit;
import io.redpacket.jobs.common.FailOnceAfterCheckpoint;
import io.redpacket.kafka.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The allocation job on a Flink MiniCluster against the real broker, RocksDB state and the
 * exactly-once Kafka sinks: the exactly-once claims are proven by failure and by rescaling.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AllocationJobIntegrationTest {
  static final Duration TIMEOUT = Duration.ofMinutes(3);

  final PipelineFixture fixture = new PipelineFixture();

  @AfterEach
  void dropTopics() {
    fixture.deleteTopics();
  }

  @Test
  @Order(1)
  void aTaskFailingOnceAfterACheckpointCommitsExactlyTheGrantsOfARunWithoutFailure() throws Exception {
    fixture.createPool(2_000, 500_000, 10);
    fixture.produceShakes(10_000, 4_000, 42);
    fixture.produceGarbage();

    String calm = fixture.outputs("calm");
    fixture.start(calm, 2, true, null, s -> s).getJobExecutionResult().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    FailOnceAfterCheckpoint.reset(3_000);
    // 5 ms a shake until the first checkpoint, so that a late one still leaves 3,000 to fail on; 0.3 ms after.
    String failing = fixture.outputs("failing");
    fixture.start(failing, 2, true, null, s -> s.map(new FailOnceAfterCheckpoint<Shake>(5_000_000, 300_000)).name("fail-once").uid("fail-once"))
        .getJobExecutionResult().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(FailOnceAfterCheckpoint.FAILED.get()).as("the failure was injected after a checkpoint").isTrue();

    Map<String, String> expected = fixture.committedGrantsOfFinished(calm);
    Map<String, String> actual = fixture.committedGrantsOfFinished(failing);
    assertThat(expected).hasSize(2_000); // 4,000 users for 2,000 packets: the pool runs out
    assertThat(actual).as("committed grants, byte for byte, after a failure").isEqualTo(expected);

    Audit.Report report = fixture.audit(failing);
    assertThat(report.clean()).as(report.render()).isTrue();
    assertThat(report.pools().get(fixture.pool.getPoolId()).grantedCents).isEqualTo(500_000);
    assertThat(fixture.committed(Topics.named(failing, Topics.SHAKE_OUTCOMES)))
        .as("one outcome per valid shake record, none twice").isEqualTo(10_000);

    List<DeadLetter> dead = TopicReader.readAll(fixture.bootstrap, Topics.named(failing, Topics.DEAD_LETTERS), false)
        .stream().map(r -> Codecs.DEAD_LETTER.decode(r.value())).toList();
    assertThat(dead).extracting(DeadLetter::getSourceTopic).contains(Topics.named(fixture.prefix, Topics.SHAKES),
        Topics.named(fixture.prefix, Topics.POOLS));
    assertThat(dead.stream().map(DeadLetter::getError).distinct().count()).isGreaterThanOrEqualTo(4);
    assertThat(dead).anySatisfy(d -> assertThat(d.getError()).contains("shakeId must be"));
  }

  @Test
  @Order(2)
  void stoppedWithASavepointAndResumedAtAnotherParallelismTheGrantsAreIdenticalAndTheAuditIsClean() throws Exception {
    fixture.createPool(1_500, 300_000, 8);
    fixture.produceShakes(8_000, 3_000, 7);

    String reference = fixture.outputs("reference");
    fixture.start(reference, 1, true, null, s -> s).getJobExecutionResult().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    Map<String, String> expected = fixture.committedGrantsOfFinished(reference);
    assertThat(expected).hasSize(1_500);

    String rescaled = fixture.outputs("rescaled");
    JobClient first = fixture.start(rescaled, 2, false, null, s -> s);
    fixture.awaitOutcomes(rescaled, 3_000, TIMEOUT); // stop mid-wave, wherever the job happens to be
    Path savepoints = Files.createTempDirectory("rp-savepoints");
    String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    long beforeStop = fixture.committed(Topics.named(rescaled, Topics.SHAKE_OUTCOMES));
    assertThat(beforeStop).as("stopped mid-wave").isBetween(3_000L, 8_000L);

    JobClient resumed = fixture.start(rescaled, 3, false, savepoint, s -> s);
    fixture.awaitOutcomes(rescaled, 8_000, TIMEOUT);
    resumed.cancel().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    assertThat(fixture.committedGrants(rescaled)).as("grants after stop, savepoint, resume at 3").isEqualTo(expected);
    Audit.Report report = fixture.audit(rescaled);
    assertThat(report.clean()).as(report.render()).isTrue();
    assertThat(fixture.committed(Topics.named(rescaled, Topics.SHAKE_OUTCOMES))).isEqualTo(8_000);
  }
}
