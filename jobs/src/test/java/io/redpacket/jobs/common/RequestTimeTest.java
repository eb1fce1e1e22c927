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
  final ManualClock activity = new ManualClock();
  final WatermarkGeneratorSupplier.Context ctx = new WatermarkGeneratorSupplier.Context() {
    @Override
    public MetricGroup getMetricGroup() {
      return new UnregisteredMetricsGroup();
    }

    @Override
    public RelativeClock getInputActivityClock() {
      return activity;
    }
  };

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
    WatermarkGenerator<RawRecord> main = strategy.createWatermarkGenerator(ctx); // made first, sees no record
    WatermarkGenerator<RawRecord> partition = strategy.createWatermarkGenerator(ctx); // made at its first batch
    Marks mainMarks = new Marks();
    Marks partitionMarks = new Marks();
    long backlog = System.currentTimeMillis() - 120_000;
    for (int i = 0; i < 60; i++) {
      partition.onEvent(null, backlog + i * 1_000L, partitionMarks);
      activity.advanceTime(java.time.Duration.ofMillis(500));
      partition.onPeriodicEmit(partitionMarks);
      main.onPeriodicEmit(mainMarks);
    }
    assertThat(mainMarks.marks).as("30 s of reading a backlog 2 minutes old: nothing from the clock").isEmpty();
    assertThat(partitionMarks.marks).allSatisfy(m -> assertThat(m).isLessThan(backlog + 60_000L));
  }
}
