package io.redpacket.jobs.common;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Watermarks of one Kafka partition from its records' Kafka time stamps, that go on advancing with
 * the wall clock once the partition is quiet. While records flow the watermark is the largest time
 * stamp seen less {@code outOfOrder}; a partition with no record for {@code idleAfter} (the end of a
 * wave: nobody opens any more) moves its watermark to the clock less {@code idleLag}, since a record
 * written from then on is stamped about then. So a decision waiting for event time (a refund) is made
 * at the end of a wave too, and never because the job is slow: a job that lags or restores reads a
 * backlog, its partitions are not quiet, and its watermark follows the records it has read.
 *
 * <p>Quiet is measured on the source's input activity clock (Flink's, which stands still while the
 * task is back-pressured), not on the wall clock: a reader held up by the operators behind it (a
 * sink waiting for a lost broker, a slow restore downstream) reads no record for a while although
 * records wait for it, and must not take that for the end of the wave.
 *
 * <p>Unlike Flink's idleness, a quiet partition does not leave the others to decide: it advances
 * with the clock, so a busy partition behind it still holds the watermark back.
 */
public final class KafkaTimeWatermarks implements WatermarkGenerator<RawRecord> {
  private final long outOfOrder;
  private final long idleAfter;
  private final long idleLag;
  private final LongSupplier clock;
  private final LongSupplier active;
  private long maxSeen = Long.MIN_VALUE;
  private long lastRecordAt;
  private long emitted = Long.MIN_VALUE;

  /**
   * @param clock the wall clock, which a quiet partition's watermark follows
   * @param active milliseconds of the reader's input activity (a clock that stands still while the reader is
   *     held up by back-pressure), on which quiet is measured
   */
  public KafkaTimeWatermarks(Duration outOfOrder, Duration idleAfter, Duration idleLag, LongSupplier clock,
      LongSupplier active) {
    this.outOfOrder = outOfOrder.toMillis();
    this.idleAfter = idleAfter.toMillis();
    this.idleLag = idleLag.toMillis();
    this.clock = clock;
    this.active = active;
    // A new reader (a start, a restore) is not quiet until it has had the time to read a backlog's first records.
    this.lastRecordAt = active.getAsLong();
  }

  @Override
  public void onEvent(RawRecord event, long eventTimestamp, WatermarkOutput output) {
    maxSeen = Math.max(maxSeen, eventTimestamp);
    lastRecordAt = active.getAsLong();
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    long mark = maxSeen == Long.MIN_VALUE ? Long.MIN_VALUE : maxSeen - outOfOrder - 1;
    if (active.getAsLong() - lastRecordAt >= idleAfter) {
      mark = Math.max(mark, clock.getAsLong() - idleLag);
    }
    if (mark > emitted) {
      emitted = mark;
      output.emitWatermark(new Watermark(mark));
    }
  }
}
