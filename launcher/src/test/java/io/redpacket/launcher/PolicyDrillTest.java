package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.simulator.HttpWave;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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

  /**
   * On a crowded machine the calm pace can be a couple of shakes a second; the CI-sized demo once
   * kept that pace until a further 20% of its 40,000 shakes were made, which would have taken hours.
   * The drill is bounded in time: whatever the pace, the policy is released and the users shake at
   * full speed again once its two spans have passed, though hardly any shakes were made meanwhile.
   */
  @Test
  void aSlowCalmPaceDoesNotHoldTheWaveTheDrillEndsOnTimeAndFullSpeedReturns() throws Exception {
    List<Long> paces = new CopyOnWriteArrayList<>();
    List<Integer> floors = new CopyOnWriteArrayList<>();
    PolicyDrill drill = new PolicyDrill(floors::add, paces::add, 40_000, 0.0, 0.35, Duration.ofMillis(300),
        Duration.ofMillis(300));
    // Two calm seconds (after the first) at 2 shakes a second, and then the users make no more shakes.
    HttpWave.Result r = wave(new long[] {256, 256, 0}, new long[] {2, 2, 0}, new long[] {2, 2, 0});
    r.gestures.set(260);
    drill.start(r);
    assertThat(drill.await(Duration.ofSeconds(10))).as("the drill ended though no more shakes were made").isTrue();
    assertThat(paces).as("kept the calm pace, then full speed").containsExactly(2L, 0L);
    assertThat(floors).as("held at the drill's level, then released").containsExactly(PolicyDrill.LEVEL, 0);
    assertThat(drill.releasedAt() - drill.tightenedAt()).isGreaterThanOrEqualTo(0.29);
    assertThat(drill.unpacedAt()).isGreaterThan(drill.releasedAt());
  }

  @Test
  void stoppedMidDrillTheUsersGoBackToFullSpeedAndThePolicyIsReleased() throws Exception {
    List<Long> paces = new CopyOnWriteArrayList<>();
    List<Integer> floors = new CopyOnWriteArrayList<>();
    PolicyDrill drill = new PolicyDrill(floors::add, paces::add, 10_000, 0.0, 0.35, Duration.ofMinutes(10),
        Duration.ofMinutes(10));
    HttpWave.Result r = wave(new long[] {256, 256, 0}, new long[] {100, 100, 0}, new long[] {100, 100, 0});
    r.gestures.set(456);
    drill.start(r);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (floors.isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    drill.stop();
    assertThat(drill.await(Duration.ofSeconds(10))).isTrue();
    assertThat(paces).containsExactly(100L, 0L);
    assertThat(floors).startsWith(PolicyDrill.LEVEL).endsWith(0);
  }

  @Test
  void theOfferedLoadFallsAsTheLevelRisesInTheFiguresByLevel() {
    double[] byLevel = PolicyDrill.offeredByLevel(wave(new long[] {256, 256, 0}, new long[] {1000, 1000, 0},
        new long[] {1000, 200, 2}, new long[] {1000, 300, 2}, new long[] {1000, 600, 1}, new long[] {1000, 1000, 0}));
    assertThat(byLevel).containsExactly(1000, 600, 250, -1);
  }

  @Test
  void theTableShowsTheLoadLevelAndWhatSetItEachSecond() {
    HttpWave.Result r = wave(new long[] {10, 8, 0}, new long[] {20, 4, 2}, new long[] {20, 4, 3});
    Map<Long, JsonObject> load = Map.of(
        2L, new JsonObject().put("level", 2).put("setBy", "event_loop_delay").put("inFlight", 120)
            .put("kafkaAckMs", 40.2).put("eventLoopDelayMs", 130.6),
        3L, new JsonObject().put("level", 3).put("setBy", "in_flight,kafka_ack").put("inFlight", 950)
            .put("kafkaAckMs", 2100.0).put("eventLoopDelayMs", 12.0),
        1L, new JsonObject().put("level", 0).put("setBy", "").put("inFlight", 3).put("kafkaAckMs", 1.0)
            .put("eventLoopDelayMs", 1.0));
    assertThat(PolicyDrill.table(r, load)).contains("set by", "event_loop_delay", "131", "in_flight,kafka_ack", "2100");
    assertThat(PolicyDrill.setBy(load))
        .isEqualTo("load level 2+ in 2 s, set by event_loop_delay 1 s, in_flight 1 s, kafka_ack 1 s");
  }

  @Test
  void perSecondIsTheDifferenceOfTheCounts() {
    var rows = PolicyDrill.perSecond(wave(new long[] {10, 8, 0}, new long[] {20, 4, 2}));
    assertThat(rows).hasSize(2);
    assertThat(rows.get(1)).containsExactly(2, 20, 4, 2);
    assertThat(PolicyDrill.table(wave(new long[] {10, 8, 0}))).contains("users' shakes", "client policy level");
  }

  @Test
  void theSummarysShakeLatenciesAreWholeMillisecondsOfTheWholeWaveAndADashWithoutAny() {
    HttpWave.Result r = new HttpWave.Result();
    assertThat(DemoHttpWave.percentileMillis(r.toOutcome, 50)).isEqualTo("-");
    for (int i = 0; i < 98; i++) {
      r.toOutcome.recordValue(Duration.ofMillis(40).toNanos());
    }
    r.toOutcome.recordValue(Duration.ofMillis(2_000).toNanos());
    r.toOutcome.recordValue(Duration.ofMillis(9_000).toNanos());
    assertThat(DemoHttpWave.percentileMillis(r.toOutcome, 50)).isEqualTo("40");
    // HdrHistogram keeps 3 significant digits: 2 s is read back within 2 ms of itself.
    assertThat(Long.parseLong(DemoHttpWave.percentileMillis(r.toOutcome, 99))).isBetween(2_000L, 2_002L);
  }
}
