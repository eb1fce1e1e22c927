package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.cluster.IngestReady;
import io.redpacket.cluster.LocalFlink;
import io.redpacket.codec.Topics;
import io.redpacket.core.Audit;
import io.redpacket.ingest.IngestConfig;
import io.redpacket.ingest.IngestServer;
import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.jobs.common.JobArgs;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.redpacket.simulator.AuditRunner;
import io.redpacket.simulator.HttpWave;
import io.redpacket.simulator.WavePlan;
import io.redpacket.stack.SharedKafka;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole path under overload: virtual users over HTTP offer far more than the ingest's
 * admission budget; the real allocation job (MiniCluster, RocksDB, exactly-once) answers what was
 * forwarded. Every request gets an answer, the backend receives no more than the budget allows,
 * and the audit of what Kafka accepted is clean: every accepted shake has its outcome.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class OverloadAuditTest {

  @Test
  void underOverloadEveryRequestIsAnsweredTheBudgetHoldsAndEveryAcceptedShakeHasItsOutcome() throws Exception {
    String bootstrap = SharedKafka.bootstrap();
    String prefix = "ov" + UUID.randomUUID().toString().substring(0, 6) + "-";
    TopicAdmin.ensure(bootstrap, Topics.ALL.stream().map(t -> Topics.named(prefix, t)).toList(),
        Topics.COMPACTED.stream().map(t -> Topics.named(prefix, t)).toList(), 4);
    long now = System.currentTimeMillis();
    PoolDefinition pool = PoolDefinition.newBuilder().setPoolId("eve").setSponsor("acme").setTotalCents(2_000_000)
        .setTotalCount(2_000).setSets(10).setMinCents(1).setMaxCents(20_000).setStartMillis(now - 1000)
        .setEndMillis(now + 600_000).setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false)
        .setCreatedMillis(now).build();
    PoolWriter.create(bootstrap, Topics.named(prefix, Topics.POOLS), pool);

    var conf = LocalFlink.configuration(Files.createTempDirectory("overload-flink"), 0, 2, Duration.ofMillis(500));
    conf.removeConfig(org.apache.flink.configuration.RestOptions.PORT);
    conf.setString("metrics.reporters", "");
    String[] jobArgs = {"--bootstrap", bootstrap, "--topic-prefix", prefix, "--transactional-id-prefix", "overload-" + prefix};
    var env = org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.createLocalEnvironment(conf);
    AllocationJob.build(env, new JobArgs(jobArgs, AllocationJob.FLAGS));
    var job = env.executeAsync("overload");

    int budget = 300;
    String secret = "overload-secret-0123456789";
    IngestConfig config = new IngestConfig(0, bootstrap, prefix, secret, "admin-overload-0123", Duration.ofSeconds(1), budget,
        1000, 5000, 4096);
    HttpWave.Result result;
    long elapsedMillis;
    try (IngestServer ingest = IngestServer.start(config)) {
      IngestReady.await(ingest.port());
      HttpWave wave = new HttpWave("http://127.0.0.1:" + ingest.port(), secret, 64, Duration.ofSeconds(20));
      try {
        result = wave.run(WavePlan.standard(pool, 20_000, 11), 30_000, 64, r -> {});
      } finally {
        wave.close();
      }
      elapsedMillis = result.elapsed.toMillis();
    }
    // Should the load level rise, the users answer some shakes themselves as the client policy says.
    assertThat(result.answered() + result.answeredByClient()).as(result.render()).isEqualTo(30_000);
    assertThat(result.timedOut.get() + result.gaveUp.get() + result.refused4xx.get()).isZero();
    assertThat(result.answeredAtEdge.get() + result.answeredByClient()).as("most shakes are answered at the edge")
        .isGreaterThan(20_000);

    long forwarded = TopicReader.forEach(bootstrap, Topics.named(prefix, Topics.SHAKES), true, r -> {});
    double seconds = elapsedMillis / 1000.0;
    // The bucket starts full (a tenth of a second's budget) and refills at the budget's rate.
    assertThat(forwarded).as("forwarded within the admission budget over %.1f s", seconds)
        .isLessThanOrEqualTo((long) Math.ceil(budget * (seconds + 0.1)) + 1);
    assertThat(forwarded).isPositive();

    TopicReader.awaitCommitted(bootstrap, Topics.named(prefix, Topics.SHAKE_OUTCOMES), forwarded, Duration.ofMinutes(2));
    Audit.Report report = AuditRunner.run(bootstrap, prefix);
    job.cancel().get(60, TimeUnit.SECONDS);
    assertThat(report.clean()).as(report.render()).isTrue();
    assertThat(TopicReader.forEach(bootstrap, Topics.named(prefix, Topics.SHAKE_OUTCOMES), true, r -> {}))
        .as("every accepted shake has exactly one outcome record").isEqualTo(forwarded);
  }
}
