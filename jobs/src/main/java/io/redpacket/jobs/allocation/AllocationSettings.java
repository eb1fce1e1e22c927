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
 * @param userCache how many user records each subtask keeps on the heap in front of RocksDB: users
 *     who shake again are answered without a state read. Measured per record: about 430 bytes for
 *     a winner's, up to 910 for a paced user's with eight remembered shakes
 */
public record AllocationSettings(Duration retention, Duration unknownPoolWait, int userCache) implements Serializable {
  /** The winners of a subtask's sets in a large wave: some 43 MB of heap per subtask (90 MB if all were paced users). */
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
