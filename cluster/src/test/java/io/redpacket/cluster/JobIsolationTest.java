package io.redpacket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.common.RawRecord;
import io.redpacket.kafka.Await;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.stack.LocalKafka;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Jobs of one local stack fail independently: a job that fails for good ends alone, the stack
 * says which and why, and the others keep running without a restart.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class JobIsolationTest {
  static final AtomicInteger OPENS = new AtomicInteger();

  /** Counts how often its task starts: a restart would start it again. */
  static final class CountsStarts extends RichMapFunction<RawRecord, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public void open(OpenContext openContext) {
      OPENS.incrementAndGet();
    }

    @Override
    public Long map(RawRecord value) {
      return value.offset;
    }
  }

  @Test
  void aJobThatFailsForGoodEndsAloneAndTheStackSaysWhichAndWhy() throws Exception {
    Path dir = Files.createTempDirectory("isolation");
    try (LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"), false)) {
      TopicAdmin.ensure(kafka.bootstrapServers(), List.of("quiet"), List.of(), 1);
      var conf = LocalFlink.configuration(dir.resolve("flink"), 0, 1, Duration.ofSeconds(1));
      conf.setString("restart-strategy.fixed-delay.attempts", "2");
      conf.setString("restart-strategy.fixed-delay.delay", "100 ms");
      try (LocalFlink flink = LocalFlink.start(conf, dir.resolve("flink"), 2)) {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        var good = flink.submit("quiet-job", env -> env
            .fromSource(KafkaIo.source(kafka.bootstrapServers(), "quiet", "quiet", false), WatermarkStrategy.noWatermarks(), "quiet")
            .map(new CountsStarts())
            .sinkTo(new DiscardingSink<>()), false, quiet);
        Await.until("the quiet job runs", Duration.ofMinutes(1),
            () -> good.getJobStatus().get() == JobStatus.RUNNING && OPENS.get() == 1);
        var bad = flink.submit("failing-job", env -> env.fromSequence(0, 10)
            .map(x -> {
              if (x >= 0) {
                throw new IllegalStateException("boom: a record this job cannot take");
              }
              return x;
            }).sinkTo(new DiscardingSink<>()), false, quiet);
        Await.until("the failing job has failed for good", Duration.ofMinutes(1),
            () -> bad.getJobStatus().get() == JobStatus.FAILED);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(flink.watch(errors)).as("the stack goes on while a job runs").isTrue();
        assertThat(flink.watch(errors)).isTrue();
        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(said).contains("failing-job").contains("FAILED").contains("boom: a record this job cannot take")
            .doesNotContain("quiet-job");
        assertThat(said.split("failing-job", -1)).as("said once").hasSize(2);
        assertThat(good.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        assertThat(OPENS.get()).as("the other job was not restarted").isEqualTo(1);
      }
    } finally {
      LocalKafka.deleteRecursively(dir);
    }
  }
}
