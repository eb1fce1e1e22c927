package io.redpacket.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

/** Watermarks of one partition: records drive them; a quiet partition follows the clock; a backlog is never quiet. */
class KafkaTimeWatermarksTest {
  long now = 1_000_000L;
  /** The reader's input activity: it moves with the wall clock unless a test holds the reader up. */
  long active = 0L;
  final List<Long> marks = new ArrayList<>();
  final WatermarkOutput output = new WatermarkOutput() {
    @Override
    public void emitWatermark(Watermark watermark) {
      marks.add(watermark.getTimestamp());
    }

    @Override
    public void markIdle() {
      throw new AssertionError("a quiet partition advances, it is never idle");
    }

    @Override
    public void markActive() {}
  };
  final KafkaTimeWatermarks gen = new KafkaTimeWatermarks(Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(10), () -> now, () -> active);

  /** The wall clock and the reader's activity move on together: the reader is free to read. */
  void elapse(long millis) {
    now += millis;
    active += millis;
  }

  long last() {
    return marks.get(marks.size() - 1);
  }

  @Test
  void recordsDriveTheWatermarkLessTheOutOfOrderness() {
    gen.onEvent(null, now - 60_000, output);
    gen.onPeriodicEmit(output);
    assertThat(last()).isEqualTo(now - 60_000 - 5_000 - 1);
  }

  @Test
  void aPartitionQuietForTheIdleTimeFollowsTheClockLessTheLag() {
    gen.onEvent(null, now, output);
    elapse(9_999);
    gen.onPeriodicEmit(output);
    assertThat(last()).isEqualTo(1_000_000L - 5_001);
    elapse(1);
    gen.onPeriodicEmit(output);
    assertThat(last()).isEqualTo(now - 10_000);
    elapse(60_000);
    gen.onPeriodicEmit(output);
    assertThat(last()).isEqualTo(now - 10_000);
  }

  @Test
  void aBacklogReadAfterAStandstillIsNotQuietSoTheWatermarkFollowsItsRecordsNotTheClock() {
    long stamped = now;
    elapse(3_600_000); // the job was down for an hour; the new reader reads the backlog at once
    KafkaTimeWatermarks restored = new KafkaTimeWatermarks(Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(10), () -> now, () -> active);
    for (int i = 0; i < 100; i++) {
      restored.onEvent(null, stamped + i * 1_000L, output);
      elapse(500);
      restored.onPeriodicEmit(output);
    }
    assertThat(marks).allSatisfy(m -> assertThat(m).isLessThan(stamped + 100_000L));
    assertThat(last()).isEqualTo(stamped + 99_000L - 5_001);
  }

  @Test
  void aReaderHeldUpByBackPressureIsNotQuietSoItsWatermarkDoesNotFollowTheClock() {
    gen.onEvent(null, now, output);
    gen.onPeriodicEmit(output);
    long fromRecords = last();
    // A sink waits a minute for a lost broker: the reader reads nothing, but its activity clock stands still.
    for (int i = 0; i < 120; i++) {
      now += 500;
      gen.onPeriodicEmit(output);
    }
    assertThat(marks).as("records are waiting: no refund may be decided by the clock").containsExactly(fromRecords);
    // Let go, it reads the records that waited; had it been quiet after all, 10 s of activity would show it.
    gen.onEvent(null, now - 50_000, output);
    elapse(10_000);
    gen.onPeriodicEmit(output);
    assertThat(last()).isEqualTo(now - 10_000);
  }

  @Test
  void theWatermarkNeverGoesBack() {
    gen.onEvent(null, now + 50_000, output);
    gen.onPeriodicEmit(output);
    long first = last();
    gen.onEvent(null, now, output);
    gen.onPeriodicEmit(output);
    assertThat(marks).containsExactly(first);
  }
}
