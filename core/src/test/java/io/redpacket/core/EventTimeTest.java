package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventTimeTest {
  static final long NOW = 1_800_000_000_000L;

  @Test
  void aTimeStampNearItsRecordsIsUsable() {
    assertThat(EventTime.check("timestamp", NOW, NOW)).isNull();
    assertThat(EventTime.check("timestamp", NOW + 299_000, NOW)).isNull();
    assertThat(EventTime.check("timestamp", NOW - 299_000, NOW)).isNull();
  }

  @Test
  void yearsAheadBefore1970OrFarBehindAreRefusedWithTheReason() {
    assertThat(EventTime.check("timestamp", NOW + 10L * 365 * 86_400_000, NOW)).contains("ahead").contains("timestamp=");
    assertThat(EventTime.check("timestamp", -1, NOW)).contains("before 2000-01-01");
    assertThat(EventTime.check("timestamp", Long.MIN_VALUE, NOW)).contains("before");
    assertThat(EventTime.check("timestamp", Long.MAX_VALUE, NOW)).contains("ahead");
    assertThat(EventTime.check("timestamp", NOW - 3_600_000, NOW)).contains("behind");
    assertThat(EventTime.check("timestamp", NOW, 0)).contains("Kafka time stamp");
  }
}
