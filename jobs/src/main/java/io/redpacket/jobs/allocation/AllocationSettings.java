package io.redpacket.jobs.allocation;

import java.io.Serializable;
import java.time.Duration;

/**
 * Tunables of the allocation job.
 *
 * @param retention how long after a pool's window ends (by event time) its per-user and per-shake
 *     state is kept; later shakes of that pool are answered "rejected: late"
 * @param unknownPoolWait how long shakes of a pool the job has not seen yet wait for its
 *     definition (the pools and shakes topics are read independently) before "unknown pool"
 * @param userCache how many user records each subtask keeps on the heap in front of RocksDB
 *     (about 200 to 400 bytes each): users who shake again are answered without a state read
 */
public record AllocationSettings(Duration retention, Duration unknownPoolWait, int userCache) implements Serializable {
  /** Enough for the winners of a subtask's sets in a large wave, at some 40 MB of heap per subtask. */
  public static final int DEFAULT_USER_CACHE = 100_000;

  public AllocationSettings {
    if (userCache < 1) {
      throw new IllegalArgumentException("userCache must be at least 1, not " + userCache);
    }
  }

  public AllocationSettings(Duration retention, Duration unknownPoolWait) {
    this(retention, unknownPoolWait, DEFAULT_USER_CACHE);
  }

  public static AllocationSettings defaults() {
    return new AllocationSettings(Duration.ofHours(1), Duration.ofSeconds(30));
  }
}
