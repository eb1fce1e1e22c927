package io.redpacket.jobs.sharing;

import java.io.Serializable;
import java.time.Duration;

/**
 * @param expiry how long a share stays open for claims; what is left then goes back to the sponsor
 * @param requestWait how long a share waits for its grant to be seen opened, and a claim for its share
 * @param retention how long a share (or an opened grant never shared) is kept after its expiry, to answer repeats alike
 * @param claimGrace claims are decided by their own time stamp; one stamped before the expiry that arrives within
 *     this grace after it still counts, and the refund waits for it
 */
public record SharingSettings(Duration expiry, Duration requestWait, Duration retention, Duration claimGrace)
    implements Serializable {
  public static SharingSettings defaults() {
    return new SharingSettings(Duration.ofHours(24), Duration.ofMinutes(5), Duration.ofHours(24), Duration.ofMinutes(1));
  }
}
