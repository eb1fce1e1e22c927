package io.redpacket.jobs.settlement;

import java.io.Serializable;
import java.time.Duration;

/**
 * @param expiry how long a grant may stay unopened before it is refunded to its sponsor
 * @param openWait how long an open waits for a grant it came before
 * @param retention how long a settled grant is kept after its expiry, to answer repeated opens alike
 * @param openGrace how long after the expiry the refund waits for opens stamped before it that are still on their way
 */
public record SettlementSettings(Duration expiry, Duration openWait, Duration retention, Duration openGrace)
    implements Serializable {
  public static final Duration DEFAULT_OPEN_GRACE = Duration.ofSeconds(60);

  public SettlementSettings(Duration expiry, Duration openWait, Duration retention) {
    this(expiry, openWait, retention, DEFAULT_OPEN_GRACE);
  }

  public static SettlementSettings defaults() {
    return new SettlementSettings(Duration.ofHours(24), Duration.ofMinutes(5), Duration.ofHours(24));
  }
}
