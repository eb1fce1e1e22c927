package io.redpacket.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

/** The users' requests' event time as a source subtask makes it: the generators of one reader share its activity. */
class RequestTimeTest {
  /** The main output's activity clock; each partition's is a clock of its own (Flink pauses them apart). */
  final ManualClock activity = new ManualClock();
  final ManualClock partitionActivity = new ManualClock();

  static WatermarkGeneratorSupplier.Context context(RelativeClock clock) {
    return new WatermarkGeneratorSupplier.Context() {
      @Override
      public MetricGroup getMetricGroup() {
        return new UnregisteredMetricsGroup();
      }

      @Override
      public RelativeClock getInputActivityClock() {
        return clock;
      }
    };
  }

  static final class Marks implements WatermarkOutput {
    final List<Long> marks = new ArrayList<>();

    @Override
    public void emitWatermark(Watermark watermark) {
      marks.add(watermark.getTimestamp());
    }

    @Override
    public void markIdle() {}

    @Override
    public void markActive() {}
  }

  @Test
  void theMainOutputsGeneratorDoesNotRunAheadOfAPartitionReadingABacklog() throws Exception {
    // As a subtask gets it: its own deserialised copy of the job's strategy.
    var strategy = InstantiationUtil.clone(Topology.requestTime());
    WatermarkGenerator<RawRecord> main = strategy.createWatermarkGenerator(context(activity)); // first, sees no record
    WatermarkGenerator<RawRecord> partition = strategy.createWatermarkGenerator(context(partitionActivity)); // at its first batch
    Marks mainMarks = new Marks();
    Marks partitionMarks = new Marks();
    long backlog = System.currentTimeMillis() - 120_000;
    for (int i = 0; i < 60; i++) {
      partition.onEvent(null, backlog + i * 1_000L, partitionMarks);
      activity.advanceTime(java.time.Duration.ofMillis(500));
      partitionActivity.advanceTime(java.time.Duration.ofMillis(500));
      partition.onPeriodicEmit(partitionMarks);
      main.onPeriodicEmit(mainMarks);
    }
    assertThat(mainMarks.marks).as("30 s of reading a backlog 2 minutes old: nothing from the clock").isEmpty();
    assertThat(partitionMarks.marks).allSatisfy(m -> assertThat(m).isLessThan(backlog + 60_000L));
    // The backlog read and nothing more: 10 s later by the main output's clock, the whole reader is quiet.
    activity.advanceTime(java.time.Duration.ofSeconds(10));
    partitionActivity.advanceTime(java.time.Duration.ofSeconds(10));
    long before = System.currentTimeMillis();
    main.onPeriodicEmit(mainMarks);
    assertThat(mainMarks.marks).hasSize(1);
    assertThat(mainMarks.marks.get(0)).isGreaterThanOrEqualTo(before - Topology.REQUESTS_IDLE_LAG.toMillis());
  }

  /**
   * A partition held back apart from the rest (its own clock paused) does not make the main output's
   * generator think the reader quiet: the reader's last record is kept on the main output's clock.
   */
  @Test
  void aPartitionsOwnPausedClockDoesNotMakeTheReaderLookQuiet() throws Exception {
    // This partition's clock was paused for an hour (held back alone) while the main output's went on.
    activity.advanceTime(java.time.Duration.ofHours(1));
    var strategy = InstantiationUtil.clone(Topology.requestTime());
    WatermarkGenerator<RawRecord> main = strategy.createWatermarkGenerator(context(activity));
    WatermarkGenerator<RawRecord> partition = strategy.createWatermarkGenerator(context(partitionActivity));
    Marks mainMarks = new Marks();
    long backlog = System.currentTimeMillis() - 120_000;
    for (int i = 0; i < 60; i++) {
      partition.onEvent(null, backlog + i * 1_000L, new Marks());
      activity.advanceTime(java.time.Duration.ofMillis(500));
      main.onPeriodicEmit(mainMarks);
    }
    assertThat(mainMarks.marks).isEmpty();
  }
}
