package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.simulator.HttpWave;
import org.junit.jupiter.api.Test;

/** The demo's per-second figures of the offered load, from the wave's once-a-second counts. */
class PolicyDrillTest {

  /** Cumulative {second, shakes made, sent, level} as the wave records them, from per-second {made, sent, level}. */
  static HttpWave.Result wave(long[]... perSecond) {
    HttpWave.Result r = new HttpWave.Result();
    long made = 0;
    long sent = 0;
    for (int i = 0; i < perSecond.length; i++) {
      made += perSecond[i][0];
      sent += perSecond[i][1];
      r.seconds.add(new long[] {i + 1, made, sent, perSecond[i][2]});
    }
    return r;
  }

  @Test
  void theCalmPaceIsWhatWasSentWhileTheUsersObeyedLevelZeroLeavingOutTheFirstSecond() {
    assertThat(PolicyDrill.calmRate(wave(new long[] {50, 50, 0}, new long[] {900, 900, 0})))
        .as("one calm second is not enough").isEqualTo(-1);
    assertThat(PolicyDrill.calmRate(wave(new long[] {50, 50, 0}, new long[] {900, 900, 0}, new long[] {5000, 40, 3},
        new long[] {1100, 1100, 0}))).isEqualTo(1000);
    assertThat(PolicyDrill.calmRate(wave(new long[] {9000, 400, 3}, new long[] {9000, 400, 3}, new long[] {9000, 400, 3})))
        .as("never calm: no drill").isEqualTo(-1);
  }

  @Test
  void theOfferedLoadFallsAsTheLevelRisesInTheFiguresByLevel() {
    double[] byLevel = PolicyDrill.offeredByLevel(wave(new long[] {256, 256, 0}, new long[] {1000, 1000, 0},
        new long[] {1000, 200, 2}, new long[] {1000, 300, 2}, new long[] {1000, 600, 1}, new long[] {1000, 1000, 0}));
    assertThat(byLevel).containsExactly(1000, 600, 250, -1);
  }

  @Test
  void perSecondIsTheDifferenceOfTheCounts() {
    var rows = PolicyDrill.perSecond(wave(new long[] {10, 8, 0}, new long[] {20, 4, 2}));
    assertThat(rows).hasSize(2);
    assertThat(rows.get(1)).containsExactly(2, 20, 4, 2);
    assertThat(PolicyDrill.table(wave(new long[] {10, 8, 0}))).contains("users' shakes", "client policy level");
  }
}
