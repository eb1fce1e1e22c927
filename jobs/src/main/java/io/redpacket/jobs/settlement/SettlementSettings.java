package io.redpacket.jobs.settlement;

import java.io.Serializable;
import java.time.Duration;

/**
 * @param expiry how long a grant may stay unopened before it is refunded to its sponsor
 * @param openWait how long an open waits for a grant it came before
 * @param retention how long a settled grant is kept after its expiry, to answer repeated opens alike
 */
public record SettlementSettings(Duration expiry, Duration openWait, Duration retention) implements Serializable {
  public static SettlementSettings defaults() {
    return new SettlementSettings(Duration.ofHours(24), Duration.ofMinutes(5), Duration.ofHours(24));
  }
}
