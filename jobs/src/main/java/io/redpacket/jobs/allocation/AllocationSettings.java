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
 */
public record AllocationSettings(Duration retention, Duration unknownPoolWait) implements Serializable {
  public static AllocationSettings defaults() {
    return new AllocationSettings(Duration.ofHours(1), Duration.ofSeconds(30));
  }
}
