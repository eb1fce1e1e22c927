package io.redpacket.jobs.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Keys;
import io.redpacket.core.StableHash;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.TopicReader;
import io.redpacket.stack.CheckedProducer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Valid shakes whose own time stamps are years ahead or before 1970, written straight to the
 * topic by a producer with a wrong clock (the record's Kafka time stamp is the broker-accepted
 * one): they are dead letters with their reason, the job keeps running, and the good shakes
 * after them are answered, with grants (their sets were not retired by a far-future watermark).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HostileTimestampTest {
  final PipelineFixture fixture = new PipelineFixture();

  @AfterEach
  void dropTopics() {
    fixture.deleteTopics();
  }

  @Test
  void shakesStampedYearsAheadOrBefore1970AreDeadLettersAndTheJobAnswersTheRest() throws Exception {
    fixture.createPool(100, 100_000, 4);
    String out = fixture.outputs("hostile");
    JobClient job = fixture.start(out, 2, false, null, s -> s);
    try {
      long now = System.currentTimeMillis();
      long[] stamps = {now + 10L * 365 * 86_400_000, now + 2 * 3_600_000, -86_400_000L, 0L};
      try (CheckedProducer p = new CheckedProducer(ProducerSettings.reliable(fixture.bootstrap))) {
        for (int i = 0; i < stamps.length; i++) {
          String user = "clock-" + i;
          int set = StableHash.setOf(user, fixture.pool.getSets());
          Shake s = Shake.newBuilder().setShakeId("bad-clock-" + i).setUserId(user).setPoolId(fixture.pool.getPoolId())
              .setSetId(set).setTimestamp(stamps[i]).build();
          // No record time stamp: the producer stamps it now, as any client does by default.
          p.send(new ProducerRecord<>(Topics.named(fixture.prefix, Topics.SHAKES), null, null,
              PipelineFixture.utf8(Keys.set(s.getPoolId(), set)), Codecs.SHAKE.encode(s))).get();
        }
      }
      fixture.produceShakes(200, 100, 3);
      fixture.awaitOutcomes(out, 200, Duration.ofMinutes(2));

      assertThat(job.getJobStatus().get(30, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
      List<ShakeOutcome> outcomes = TopicReader.readAll(fixture.bootstrap, Topics.named(out, Topics.SHAKE_OUTCOMES), true)
          .stream().map(r -> Codecs.OUTCOME.decode(r.value())).toList();
      assertThat(outcomes).hasSize(200).noneMatch(o -> o.getShakeId().startsWith("bad-clock"));
      assertThat(outcomes).as("sets are not retired by a shake from the future")
          .noneMatch(o -> o.getOutcome() == OutcomeCode.REJECTED)
          .anyMatch(o -> o.getOutcome() == OutcomeCode.WON);
      for (var r : TopicReader.readAll(fixture.bootstrap, Topics.named(out, Topics.SHAKE_OUTCOMES), true)) {
        assertThat(r.timestamp()).as("an output's time stamp").isBetween(now - 600_000, System.currentTimeMillis() + 60_000);
      }

      List<DeadLetter> dead = TopicReader.readAll(fixture.bootstrap, Topics.named(out, Topics.DEAD_LETTERS), false)
          .stream().map(r -> Codecs.DEAD_LETTER.decode(r.value())).toList();
      assertThat(dead).as("each bad clock is a dead letter with its reason").hasSize(stamps.length)
          .allSatisfy(d -> assertThat(d.getError()).contains("time stamp"))
          .anySatisfy(d -> assertThat(d.getError()).contains("ahead"))
          .anySatisfy(d -> assertThat(d.getError()).contains("before"));
    } finally {
      job.cancel().get(1, TimeUnit.MINUTES);
    }
  }
}
