package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ClientPolicyTest {

  @Test
  void eachLevelAsksClientsToSendLessAndWaitLonger() {
    ClientPolicy[] p = IntStream.range(0, 4).mapToObj(l -> ClientPolicy.at(l, 0)).toArray(ClientPolicy[]::new);
    assertThat(p[0]).isEqualTo(new ClientPolicy(0, 0, 0, "retry", 0, 0));
    assertThat(p[1]).isEqualTo(new ClientPolicy(1, 50, 1000, "retry", 0, 0));
    assertThat(p[2]).isEqualTo(new ClientPolicy(2, 80, 3000, "wait", 5, 0));
    assertThat(p[3]).isEqualTo(new ClientPolicy(3, 95, 10_000, "wait", 15, 0));
    assertThat(ClientPolicy.at(7, 0)).as("clamped").isEqualTo(p[3]);
    assertThat(ClientPolicy.at(-1, 0)).isEqualTo(p[0]);
  }

  @Test
  void theHeaderReadsBackAsTheSamePolicy() {
    for (int l = 0; l < 4; l++) {
      ClientPolicy p = ClientPolicy.at(l, 1_767_225_600_000L + l);
      assertThat(ClientPolicy.parse(p.header())).isEqualTo(p);
    }
    assertThat(ClientPolicy.at(1, 5).header())
        .isEqualTo("level=1; sample-percent=50; min-interval-ms=1000; on-timeout=retry; busy-s=0; epoch=5");
  }

  @Test
  void aHostileOrBrokenHeaderGivesAPolicyAClientCanObeyNeverAnException() {
    String[] hostile = {null, "", ";;;", "=", "level", "level=", "level=x", "level=-1", "level=99999999999999999999",
        "sample-percent=100", "level=3; sample-percent=-5", "level=\u0000", "x".repeat(10_000),
        "level=2;sample-percent=9999;min-interval-ms=-1;on-timeout=<script>;busy-s=99999999;epoch=-3",
        "level=1; level=; sample-percent=50%", "level=1;" + "a=b;".repeat(200)};
    for (String h : hostile) {
      ClientPolicy p = ClientPolicy.parse(h);
      assertThat(p.level()).as(String.valueOf(h)).isBetween(0, 3);
      assertThat(p.samplePercent()).isBetween(0, 100);
      assertThat(p.minIntervalMs()).isBetween(0L, 3_600_000L);
      assertThat(p.busySeconds()).isBetween(0, 3600);
      assertThat(p.onTimeout()).isIn("retry", "wait");
      assertThat(p.epoch()).isNotNegative();
    }
    assertThat(ClientPolicy.parse("level=x")).as("no level: send as usual").isEqualTo(ClientPolicy.DEFAULT);
    assertThat(ClientPolicy.parse("sample-percent=100")).isEqualTo(ClientPolicy.DEFAULT);
    ClientPolicy clamped =
        ClientPolicy.parse("level=2;sample-percent=9999;min-interval-ms=-1;on-timeout=<script>;busy-s=99999999");
    assertThat(clamped).as("clamped, or the level's own value where unreadable")
        .isEqualTo(new ClientPolicy(2, 100, 3000, "wait", 3600, 0));
    assertThat(ClientPolicy.parse("level=1; future-field=7; sample-percent=60")).as("unknown fields skipped")
        .isEqualTo(new ClientPolicy(1, 60, 1000, "retry", 0, 0));
  }

  @Test
  void theClientAnswersItselfTheSampledShareOfShakesAndTheSameShakeAlwaysTheSameWay() {
    for (int l = 0; l < 4; l++) {
      ClientPolicy p = ClientPolicy.at(l, 0);
      long kept = IntStream.range(0, 100_000).filter(i -> p.answersItself("s-" + i)).count();
      assertThat(kept / 1000.0).as("level %d", l).isCloseTo(p.samplePercent(), org.assertj.core.data.Offset.offset(1.0));
      assertThat(p.answersItself("s-42")).isEqualTo(p.answersItself("s-42"));
    }
  }

  @Test
  void thePolicyTightensAtOnceAndLoosensOneStepPerHoldWhileTheLoadStaysLow() {
    ClientPolicy.Hold h = new ClientPolicy.Hold(2000);
    assertThat(h.next(0, 0)).isZero();
    assertThat(h.next(3, 50)).as("up at once").isEqualTo(3);
    assertThat(h.next(0, 100)).as("held").isEqualTo(3);
    assertThat(h.next(3, 1000)).as("load back: the hold starts again").isEqualTo(3);
    assertThat(h.next(0, 1050)).isEqualTo(3);
    assertThat(h.next(0, 3000)).isEqualTo(3);
    assertThat(h.next(0, 3050)).as("2 s low: one step down").isEqualTo(2);
    assertThat(h.next(0, 4000)).isEqualTo(2);
    assertThat(h.next(0, 5050)).isEqualTo(1);
    assertThat(h.next(1, 6000)).as("load at the policy's level: stays").isEqualTo(1);
    assertThat(h.next(1, 9000)).isEqualTo(1);
    assertThat(h.next(0, 9050)).isEqualTo(1);
    assertThat(h.next(0, 11_050)).isZero();
  }
}
