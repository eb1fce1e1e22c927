package io.redpacket.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which records a drill blames on a recovery: slow ones (over 5 s) still waiting while it was under way. */
class SlowRecordsTest {
  @Test
  void onlySlowRecordsWaitingDuringTheWindowCount() {
    SlowRecords w = new SlowRecords();
    w.record("shakes", 1_000, 2_000); // fast: never counted
    w.record("shakes", 1_000, 7_000); // slow, ended before the window
    w.record("shakes", 5_000, 12_000); // slow, overlaps the window's start
    w.record("opens", 14_000, 30_000); // slow, sent inside the window
    w.record("opens", 21_000, 40_000); // slow, sent after the window
    w.record("claims", 9_000, 14_000); // exactly 5 s: not slow
    assertThat(w.waitingDuring(10_000, 20_000, "shakes", "opens", "claims"))
        .containsEntry("shakes", 1L).containsEntry("opens", 1L).containsEntry("claims", 0L);
    assertThat(w.counts()).containsEntry("shakes", 3L).containsEntry("opens", 2L).containsEntry("claims", 1L);
  }

  @Test
  void aWaitOnTheMonotonicClockEndsNow() {
    SlowRecords w = new SlowRecords();
    long before = System.currentTimeMillis();
    w.recordSince("claims", System.nanoTime() - 6_000_000_000L);
    assertThat(w.waitingDuring(before - 3_000, before - 2_000, "claims")).containsEntry("claims", 1L);
  }
}
