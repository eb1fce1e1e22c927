package io.redpacket.core;

import java.time.Duration;
import java.time.Instant;

/**
 * Bounds on an input record's own time stamp (a shake's, an open's, a share request's, a grant's),
 * checked before the record is used: a record out of bounds is a dead letter, never an event.
 *
 * <p>The reference is the record's Kafka time stamp, which the broker already bounds when the
 * record is written (Kafka 4 refuses one more than an hour ahead of its clock) and which a replay
 * reads back unchanged: the check needs no wall clock, so a replay refuses exactly the same
 * records. Every producer of this system stamps a record with its event's own time, so the two
 * agree; a producer with a wrong clock, or one that forges the field, does not. The pool's window
 * is not the bound here: a shake outside its window is answered {@code POOL_NOT_ACTIVE} by the
 * allocator, a normal answer; what is refused here is a time stamp that cannot be an event's.
 */
public final class EventTime {
  /** No event of this system is older: 2000-01-01T00:00:00Z. Anything before (1970, negative) is a broken clock. */
  public static final long EARLIEST = 946_684_800_000L;
  /** How far a record's own time stamp may be from its Kafka time stamp, either way. */
  public static final Duration MAX_SKEW = Duration.ofMinutes(5);

  private EventTime() {}

  /** Why the record's own time stamp cannot be used, within {@link #MAX_SKEW} either way; null when it can. */
  public static String check(String field, long eventTime, long recordTime) {
    return check(field, eventTime, recordTime, MAX_SKEW.toMillis(), MAX_SKEW.toMillis());
  }

  /**
   * The same for a record that may be written long after its event (a grant answered once its
   * pool's definition arrived is stamped when written): only ahead and before 2000 are refused.
   */
  public static String checkNotAhead(String field, long eventTime, long recordTime) {
    return check(field, eventTime, recordTime, MAX_SKEW.toMillis(), Long.MAX_VALUE / 4);
  }

  static String check(String field, long eventTime, long recordTime, long maxAheadMillis, long maxBehindMillis) {
    if (eventTime < EARLIEST) {
      return "time stamp " + field + "=" + eventTime + " (" + show(eventTime) + ") is before " + show(EARLIEST)
          + ": a broken clock";
    }
    if (recordTime < EARLIEST) {
      return "the record's Kafka time stamp " + recordTime + " (" + show(recordTime) + ") is before " + show(EARLIEST)
          + ": a broken clock";
    }
    if (eventTime > recordTime + maxAheadMillis) {
      return "time stamp " + field + "=" + eventTime + " (" + show(eventTime) + ") is " + (eventTime - recordTime) / 1000
          + " s ahead of the record's Kafka time stamp " + recordTime + " (at most " + maxAheadMillis / 1000 + " s allowed)";
    }
    if (eventTime < recordTime - maxBehindMillis) {
      return "time stamp " + field + "=" + eventTime + " (" + show(eventTime) + ") is " + (recordTime - eventTime) / 1000
          + " s behind the record's Kafka time stamp " + recordTime + " (at most " + maxBehindMillis / 1000 + " s allowed)";
    }
    return null;
  }

  private static String show(long millis) {
    try {
      return Instant.ofEpochMilli(millis).toString();
    } catch (RuntimeException e) {
      return "out of range";
    }
  }
}
