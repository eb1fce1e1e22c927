package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Grant;
import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Codecs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audit must catch each kind of violation, not only pass a clean run. */
class AuditTest {
  final PoolDefinition pool = Pools.lucky(100_000, 100, 4, 10, 5_000).setEndMillis(10_000L).build();
  final List<Shake> shakes = new ArrayList<>();
  final List<ShakeOutcome> outcomes = new ArrayList<>();
  final List<byte[]> grants = new ArrayList<>();

  AuditTest() {
    Map<String, MemorySetStore> stores = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      Shake s = Pools.shake(pool, "s" + i, "u" + (i % 250), i);
      shakes.add(s);
      Decision d = SetAllocator.decide(pool, s, stores.computeIfAbsent(Keys.set("p1", s.getSetId()), k -> new MemorySetStore()));
      outcomes.add(d.outcome());
      if (d.grant() != null) {
        grants.add(Codecs.GRANT.encode(d.grant()));
      }
    }
  }

  Audit.Report audit() {
    return Audit.run(new Audit.Input(Map.of("p1", pool), shakes, outcomes, grants));
  }

  long failed(Audit.Report r, String check) {
    return r.checks().stream().filter(c -> c.name().equals(check)).findFirst().orElseThrow().violations();
  }

  @Test
  void aFaithfulRunIsClean() {
    Audit.Report r = audit();
    assertThat(r.clean()).as(r.render()).isTrue();
    assertThat(r.pools().get("p1").grantedCents).isEqualTo(100_000);
    assertThat(r.render()).contains("AUDIT CLEAN").contains("1,000.00");
  }

  @Test
  void aGrantWrittenTwiceIsCaught() {
    grants.add(grants.get(0));
    Audit.Report r = audit();
    assertThat(r.clean()).isFalse();
    assertThat(failed(r, "grant ids are unique")).isEqualTo(1);
    assertThat(r.render()).contains("AUDIT FAILED");
  }

  @Test
  void aCentTooManyIsCaught() {
    Grant g = Codecs.GRANT.decode(grants.get(0));
    g.setCents(g.getCents() + 1);
    grants.set(0, Codecs.GRANT.encode(g));
    Audit.Report r = audit();
    assertThat(failed(r, "granted cents <= budget")).isEqualTo(1);
    assertThat(failed(r, "grants byte-identical to a replay of the shakes")).isEqualTo(1);
    assertThat(failed(r, "each WON outcome matches one grant")).isEqualTo(1);
  }

  @Test
  void aLostOutcomeAndAContradictingRetryAreCaught() {
    outcomes.remove(outcomes.size() - 1);
    ShakeOutcome first = outcomes.get(0);
    outcomes.add(ShakeOutcome.newBuilder(first).setOutcome(OutcomeCode.NOT_LUCKY).setGrantId(null).setCents(null).build());
    Audit.Report r = audit();
    assertThat(failed(r, "every shake has an outcome")).isEqualTo(1);
    assertThat(failed(r, "no shake has two different outcomes")).isEqualTo(1);
  }

  @Test
  void aSecondGrantForOneUserIsCaught() {
    Grant g = Codecs.GRANT.decode(grants.get(0));
    grants.add(Codecs.GRANT.encode(Grant.newBuilder(g).setGrantId("p1/0/999").setShakeId("other").build()));
    Audit.Report r = audit();
    assertThat(failed(r, "grants per (user, pool) <= per-user limit")).isEqualTo(1);
    assertThat(failed(r, "grants byte-identical to a replay of the shakes")).isEqualTo(1);
  }
}
