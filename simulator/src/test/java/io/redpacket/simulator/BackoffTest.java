package io.redpacket.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void aShedRequestIsRetriedNoSoonerThanRetryAfterAndNoLaterThanHalfOfItAgain() {
    for (double r : new double[] {0, 0.25, 0.5, 0.999}) {
      assertThat(Backoff.delayMillis("2", 0, r)).isBetween(2_000L, 3_000L);
      assertThat(Backoff.delayMillis("3", 5, r)).as("Retry-After wins over the attempt").isBetween(3_000L, 4_500L);
      assertThat(Backoff.delayMillis("60", 0, r)).as("capped").isBetween(10_000L, 15_000L);
    }
    assertThat(Backoff.delayMillis("2", 0, 0)).isEqualTo(2_000);
    assertThat(Backoff.delayMillis("soon", 0, 0)).as("unreadable: a second").isEqualTo(1_000);
  }

  @Test
  void withoutRetryAfterTheStepGrowsWithEachAttemptAroundItsValue() {
    assertThat(Backoff.delayMillis(null, 0, 0)).isEqualTo(100);
    assertThat(Backoff.delayMillis(null, 3, 0.5)).isEqualTo(1_600);
    assertThat(Backoff.delayMillis(null, 30, 0.5)).as("capped, and no overflow").isEqualTo(10_000);
  }
}
