package io.redpacket.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoadLevelTest {

  @Test
  void eachSignalRaisesTheLevelAndTheHighestWins() {
    LoadLevel l = new LoadLevel(1000);
    assertThat(l.level(0)).isZero();
    assertThat(l.level(500)).isEqualTo(1);
    assertThat(l.level(750)).isEqualTo(2);
    assertThat(l.level(900)).isEqualTo(3);
    for (int i = 0; i < 200; i++) {
      l.ackLatency(600); // Kafka slows down
    }
    assertThat(l.level(0)).isEqualTo(2);
    for (int i = 0; i < 50; i++) {
      l.loopDelay(800); // the event loop is saturated
    }
    assertThat(l.level(0)).isEqualTo(3);
    for (int i = 0; i < 200; i++) {
      l.ackLatency(1);
      l.loopDelay(0);
    }
    assertThat(l.level(0)).as("and falls back when the load does").isZero();
  }

  /**
   * A late event loop says the edge is short of CPU: it raises the level (client policy, shakes
   * sampled harder) but sheds no open and no share, whose refusals cost the edge about what they
   * save and come back as retries. The backend's signals shed them as before.
   */
  @Test
  void aLateEventLoopAloneShedsNeitherOpensNorSharesTheBackendsSignalsDo() {
    LoadLevel l = new LoadLevel(1000);
    for (int i = 0; i < 50; i++) {
      l.loopDelay(800);
    }
    assertThat(l.level(0)).as("the edge's level: shakes sampled harder, the client policy at 3").isEqualTo(3);
    assertThat(l.backendLevel(0)).as("the level that sheds opens and shares").isZero();
    assertThat(LoadLevel.shed(LoadLevel.Kind.OPEN, l.backendLevel(0))).isFalse();
    assertThat(LoadLevel.shed(LoadLevel.Kind.SHARE, l.backendLevel(0))).isFalse();
    assertThat(l.backendLevel(800)).as("in flight at 80%").isEqualTo(2);
    for (int i = 0; i < 200; i++) {
      l.ackLatency(600);
    }
    assertThat(l.backendLevel(0)).as("Kafka slow").isEqualTo(2);
    l.backendSilent(true);
    assertThat(LoadLevel.shed(LoadLevel.Kind.SHARE, l.backendLevel(0))).isTrue();
  }

  @Test
  void itSaysWhichSignalsSetTheLevel() {
    LoadLevel l = new LoadLevel(1000);
    assertThat(l.setBy(0)).as("level 0: nothing sets it").isEmpty();
    for (int i = 0; i < 50; i++) {
      l.loopDelay(150); // level 2 by the loop
    }
    assertThat(l.setBy(0)).isEqualTo("event_loop_delay");
    assertThat(l.setBy(800)).as("in flight at 80% is level 2 too").isEqualTo("in_flight,event_loop_delay");
    assertThat(l.setBy(950)).as("in flight at 95% is level 3, above the loop's 2").isEqualTo("in_flight");
    l.backendSilent(true);
    assertThat(l.setBy(0)).as("a silent job is level 1 only: the loop still sets it").isEqualTo("event_loop_delay");
  }

  @Test
  void aSlowAckFadesWhenNothingIsSentSoSheddingDoesNotLastForEver() {
    LoadLevel l = new LoadLevel(1000);
    for (int i = 0; i < 200; i++) {
      l.ackLatency(600);
    }
    l.tick();
    assertThat(l.level(0)).as("acks came in this tick: it stands").isEqualTo(2);
    for (int i = 0; i < 20; i++) { // one second without a single send
      l.tick();
    }
    assertThat(l.level(0)).as("no evidence of a slow Kafka any more").isZero();
  }

  @Test
  void sharingIsShedFirstThenOpeningAndShakesAreOnlySampledHarder() {
    assertThat(LoadLevel.shed(LoadLevel.Kind.SHARE, 0)).isFalse();
    assertThat(LoadLevel.shed(LoadLevel.Kind.SHARE, 1)).isTrue();
    assertThat(LoadLevel.shed(LoadLevel.Kind.OPEN, 1)).isFalse();
    assertThat(LoadLevel.shed(LoadLevel.Kind.OPEN, 2)).isTrue();
    for (int level = 0; level <= 3; level++) {
      assertThat(LoadLevel.shed(LoadLevel.Kind.SHAKE, level)).isFalse();
      assertThat(LoadLevel.sampleHarder(level)).isEqualTo(level == 3);
    }
  }

  @Test
  void aSilentJobRaisesTheLevelTo1SoSharingWaitsButOpensAreNotShedForIt() {
    LoadLevel l = new LoadLevel(1000);
    l.backendSilent(true);
    assertThat(l.level(0)).isEqualTo(1);
    assertThat(LoadLevel.shed(LoadLevel.Kind.SHARE, l.level(0))).isTrue();
    assertThat(LoadLevel.shed(LoadLevel.Kind.OPEN, l.level(0))).as("a shed open's retry may miss its expiry").isFalse();
    assertThat(l.level(750)).as("the load's own level still counts").isEqualTo(2);
    l.backendSilent(false);
    assertThat(l.level(0)).isZero();
  }
}
