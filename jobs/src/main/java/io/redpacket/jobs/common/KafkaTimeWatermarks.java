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
 *
 * <p>A generator that has seen no record follows the clock only when its whole reader is quiet: Flink's
 * source gives a reader's main output a generator of its own, which sees no record and whose watermark
 * goes out beside the partitions' minimum, the higher winning; alone, it would run ahead of a partition
 * still reading a backlog. So the generators of one reader share when any of them last saw a record
 * ({@link Reader}). A reader that has read no record since it started waits {@link Reader#FIRST_RECORDS_WITHIN}
 * instead: a restored reader's first fetch can take more than the idle time (a starved machine
 * restarting every job at once), and its partitions may hold the backlog of the whole outage.
 */
public final class KafkaTimeWatermarks implements WatermarkGenerator<RawRecord> {
  private final long outOfOrder;
  private final long idleAfter;
  private final long idleLag;
  private final LongSupplier clock;
  private final LongSupplier active;
  private final Reader reader;
  private long maxSeen = Long.MIN_VALUE;
  private long lastRecordAt;
  private long emitted = Long.MIN_VALUE;

  /**
   * What the generators of one source reader share: when any of them last saw a record, on the reader's
   * own activity clock (each partition's generator has a clock of its own, paused apart).
   */
  public static final class Reader {
    /**
     * How long a reader that has read nothing since it started counts as not quiet. After a JobManager's
     * kill on a loaded machine the jobs were back after 57 to 95 s, with their opens waiting in Kafka,
     * and a reader whose first fetch took over 10 s would have followed the clock past that backlog. A
     * minute is long beside any first fetch seen, and only delays the refunds of a restart nobody opens in.
     */
    public static final Duration FIRST_RECORDS_WITHIN = Duration.ofSeconds(60);
    private final LongSupplier active;
    private final long firstRecordsWithin;
    private long lastRecordAt;
    private boolean read;

    /** A reader that starts now (a start, a restore), on the activity clock {@code active}. */
    public Reader(LongSupplier active) {
      this(active, FIRST_RECORDS_WITHIN);
    }

    /** The same, with the time it is given for its first records. */
    public Reader(LongSupplier active, Duration firstRecordsWithin) {
      this.active = active;
      this.firstRecordsWithin = firstRecordsWithin.toMillis();
      // Not quiet until it has had the time to read a backlog's first records.
      this.lastRecordAt = active.getAsLong();
    }

    void sawRecord() {
      lastRecordAt = active.getAsLong();
      read = true;
    }

    /** Quiet for {@code idleAfter} since its last record, or for its first records' time if it has read none. */
    boolean quietFor(long idleAfter) {
      return active.getAsLong() - lastRecordAt >= (read ? idleAfter : Math.max(idleAfter, firstRecordsWithin));
    }
  }

  /** A generator that is a reader of its own (one partition, nothing shared). */
  public KafkaTimeWatermarks(Duration outOfOrder, Duration idleAfter, Duration idleLag, LongSupplier clock,
      LongSupplier active) {
    this(outOfOrder, idleAfter, idleLag, clock, active, new Reader(active));
  }

  /**
   * @param clock the wall clock, which a quiet partition's watermark follows
   * @param active milliseconds of the reader's input activity (a clock that stands still while the reader is
   *     held up by back-pressure), on which quiet is measured
   * @param reader what this generator shares with the other generators of its source reader
   */
  public KafkaTimeWatermarks(Duration outOfOrder, Duration idleAfter, Duration idleLag, LongSupplier clock,
      LongSupplier active, Reader reader) {
    this.outOfOrder = outOfOrder.toMillis();
    this.idleAfter = idleAfter.toMillis();
    this.idleLag = idleLag.toMillis();
    this.clock = clock;
    this.active = active;
    this.reader = reader;
    // A new partition is not quiet until it has had the time to read a backlog's first records.
    this.lastRecordAt = active.getAsLong();
  }

  @Override
  public void onEvent(RawRecord event, long eventTimestamp, WatermarkOutput output) {
    maxSeen = Math.max(maxSeen, eventTimestamp);
    lastRecordAt = active.getAsLong();
    reader.sawRecord();
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    long mark = maxSeen == Long.MIN_VALUE ? Long.MIN_VALUE : maxSeen - outOfOrder - 1;
    // A partition is quiet by its own records; a generator without records only when its whole reader is.
    boolean quiet = active.getAsLong() - lastRecordAt >= idleAfter
        && (maxSeen != Long.MIN_VALUE || reader.quietFor(idleAfter));
    if (quiet) {
      mark = Math.max(mark, clock.getAsLong() - idleLag);
    }
    if (mark > emitted) {
      emitted = mark;
      output.emitWatermark(new Watermark(mark));
    }
  }
}
