package io.redpacket.ingest;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Whether one job the ingest waits on is answering: a job that is restarting (a TaskManager killed,
 * a restore under way) takes what Kafka accepts but writes no answers, and nothing else tells.
 *
 * <p>The job is <em>silent</em> when a request was forwarded to it more than {@link #SILENT_AFTER_MILLIS}
 * ago and no answer at all (to any request, of any instance) has been read since. Two fields, no
 * per-request state: a send marks the first request still waiting since the last answer, an answer
 * clears the mark. A request sent just before an answer that was not its own is then forgotten; the
 * next send marks again, so a job that stops answering while clients keep sending is seen at once,
 * and one that nobody sends to is not judged.
 */
final class BackendSignal {
  /** Longer than a committed answer normally takes (checkpoints every second), short against a restart. */
  static final long SILENT_AFTER_MILLIS = 2_000;
  private static final long NONE = Long.MIN_VALUE;
  private final LongSupplier clock;
  /** When the first request forwarded since the last answer was sent; NONE when none waits. */
  private final AtomicLong waitingSince = new AtomicLong(NONE);

  /** {@code clock}: wall-clock milliseconds (tests pass their own). */
  BackendSignal(LongSupplier clock) {
    this.clock = clock;
  }

  /** A request was forwarded to the job: a read, and a write only for the first since an answer. */
  void sent() {
    if (waitingSince.get() == NONE) {
      waitingSince.compareAndSet(NONE, clock.getAsLong());
    }
  }

  /** An answer of the job was read (on a board's reader thread). */
  void answered() {
    if (waitingSince.get() != NONE) {
      waitingSince.set(NONE);
    }
  }

  /** How long the job has kept a request unanswered, once that is past {@link #SILENT_AFTER_MILLIS}; else 0. */
  long silentMillis() {
    long since = waitingSince.get();
    if (since == NONE) {
      return 0;
    }
    long waited = clock.getAsLong() - since;
    return waited > SILENT_AFTER_MILLIS ? waited : 0;
  }

  boolean silent() {
    return silentMillis() > 0;
  }
}
