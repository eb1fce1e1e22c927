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

  /**
   * Flink's source gives a reader's main output a generator of its own, which sees no record, and emits
   * its watermark beside the partitions' minimum, the higher winning. While a partition of the same
   * reader reads a backlog (after a recovery), that generator must not follow the clock: it once did,
   * 10 s into the reader's activity, and refunded grants whose opens were still in the backlog.
   */
  @Test
  void aGeneratorWithoutRecordsFollowsTheClockOnlyWhenItsWholeReaderIsQuiet() {
    KafkaTimeWatermarks.Reader reader = new KafkaTimeWatermarks.Reader(() -> active);
    RequestTimeTest.Marks mainOutput = new RequestTimeTest.Marks();
    List<Long> mainMarks = mainOutput.marks;
    KafkaTimeWatermarks main = new KafkaTimeWatermarks(Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(10), () -> now, () -> active, reader);
    KafkaTimeWatermarks partition = new KafkaTimeWatermarks(Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(10), () -> now, () -> active, reader);
    long stamped = now - 100_000; // a backlog of opens written 100 s ago, read after a restore
    for (int i = 0; i < 120; i++) {
      partition.onEvent(null, stamped + i * 500L, output);
      elapse(500);
      partition.onPeriodicEmit(output);
      main.onPeriodicEmit(mainOutput);
    }
    assertThat(mainMarks).as("a partition reads a backlog: the reader is not quiet").isEmpty();
    assertThat(last()).isLessThan(stamped + 60_000L);
    // The backlog read, nothing more comes: after 10 s the whole reader is quiet and the clock leads again.
    elapse(10_000);
    partition.onPeriodicEmit(output);
    main.onPeriodicEmit(mainOutput);
    assertThat(mainMarks).containsExactly(now - 10_000);
    assertThat(last()).isEqualTo(now - 10_000);
  }

  /**
   * A reader that has read nothing at all (nobody opened) still moves on with the clock, so refunds happen;
   * having read nothing since it started, it first gives its partitions a minute to yield a backlog.
   */
  @Test
  void aReaderWithoutAnyRecordFollowsTheClockOnceItsFirstRecordsHadTheirTime() {
    KafkaTimeWatermarks main = new KafkaTimeWatermarks(Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(10), () -> now, () -> active, new KafkaTimeWatermarks.Reader(() -> active));
    elapse(KafkaTimeWatermarks.Reader.FIRST_RECORDS_WITHIN.toMillis() - 1);
    main.onPeriodicEmit(output);
    assertThat(marks).isEmpty();
    elapse(1);
    main.onPeriodicEmit(output);
    assertThat(marks).containsExactly(now - 10_000);
  }

  /**
   * A reader restored after an outage (a JobManager's kill: the jobs were back after 57 to 95 s) whose
   * first fetch takes longer than the idle time must not follow the clock past the outage's backlog: its
   * grants would be refunded before the opens sent in time for them are read.
   */
  @Test
  void aRestoredReaderWhoseFirstFetchIsSlowDoesNotFollowTheClockPastItsBacklog() {
    KafkaTimeWatermarks.Reader reader = new KafkaTimeWatermarks.Reader(() -> active);
    RequestTimeTest.Marks mainOutput = new RequestTimeTest.Marks();
    KafkaTimeWatermarks main = new KafkaTimeWatermarks(Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(10), () -> now, () -> active, reader);
    long outageStart = now - 90_000;
    // 30 s until the first fetch returns (a starved machine restarting every job), the reader free to read.
    for (int i = 0; i < 60; i++) {
      elapse(500);
      main.onPeriodicEmit(mainOutput);
    }
    assertThat(mainOutput.marks).as("nothing read yet: the clock must not lead").isEmpty();
    // Then the backlog: opens stamped from the outage's start on, read in 10 s.
    KafkaTimeWatermarks partition = new KafkaTimeWatermarks(Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(10), () -> now, () -> active, reader);
    for (int i = 0; i < 20; i++) {
      partition.onEvent(null, outageStart + i * 6_000L, output);
      elapse(500);
      partition.onPeriodicEmit(output);
      main.onPeriodicEmit(mainOutput);
    }
    assertThat(mainOutput.marks).isEmpty();
    assertThat(last()).isEqualTo(outageStart + 19 * 6_000L - 5_001);
    // Once it has read, the usual idle time holds: 10 s without a record and the clock leads.
    elapse(10_000);
    main.onPeriodicEmit(mainOutput);
    assertThat(mainOutput.marks).containsExactly(now - 10_000);
  }
}
