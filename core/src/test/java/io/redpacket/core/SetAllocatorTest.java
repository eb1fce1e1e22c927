package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.codec.Codecs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SetAllocatorTest {
  final PoolDefinition pool = Pools.lucky(10_000, 10, 1, 100, 5000).setStartMillis(1000L).setEndMillis(2000L).build();
  final MemorySetStore store = new MemorySetStore();

  Decision shake(String id, String user, long ts) {
    return SetAllocator.decide(pool, Pools.shake(pool, id, user, ts), store);
  }

  @Test
  void firstShakeWinsAndARepeatedShakeIdGetsTheSameGrantAgain() {
    Decision d = shake("s1", "alice", 1500);
    assertThat(d.outcome().getOutcome()).isEqualTo(OutcomeCode.WON);
    assertThat(d.grant().getGrantId()).isEqualTo("p1/0/1");
    assertThat(d.status()).as("first touch of the set publishes its status").isNotNull();
    Decision again = shake("s1", "alice", 1600);
    assertThat(again.grant()).isNull();
    assertThat(again.outcome().getOutcome()).isEqualTo(OutcomeCode.WON);
    assertThat(again.outcome().getDuplicate()).isTrue();
    assertThat(again.outcome().getGrantId()).isEqualTo("p1/0/1");
    assertThat(again.outcome().getCents()).isEqualTo(d.grant().getCents());
  }

  @Test
  void aUserAtTheLimitGetsTheSameGrantAsAlreadyWon() {
    Decision won = shake("s1", "alice", 1500);
    Decision second = shake("s2", "alice", 1501);
    assertThat(second.outcome().getOutcome()).isEqualTo(OutcomeCode.ALREADY_WON);
    assertThat(second.outcome().getGrantId()).isEqualTo(won.grant().getGrantId());
    assertThat(second.grant()).isNull();
  }

  @Test
  void theWindowIsDecidedByTheShakesOwnTimestamp() {
    assertThat(shake("s1", "a", 999).outcome().getOutcome()).isEqualTo(OutcomeCode.POOL_NOT_ACTIVE);
    assertThat(shake("s2", "b", 2000).outcome().getOutcome()).isEqualTo(OutcomeCode.POOL_NOT_ACTIVE);
    assertThat(shake("s3", "c", 1000).outcome().getOutcome()).isEqualTo(OutcomeCode.WON);
  }

  @Test
  void anExhaustedSetPaysExactlyItsBudget() {
    long paid = 0;
    for (int i = 0; i < 10; i++) {
      paid += shake("s" + i, "u" + i, 1500).grant().getCents();
    }
    assertThat(paid).isEqualTo(10_000);
    Decision d = shake("late", "someone", 1500);
    assertThat(d.outcome().getOutcome()).isEqualTo(OutcomeCode.POOL_EXHAUSTED);
    assertThat(store.set().remainingCents).isZero();
  }

  @Test
  void aForgedSetIsRejectedAndLeavesNoState() {
    PoolDefinition many = Pools.lucky(10_000, 10, 5, 100, 5000).setEndMillis(10_000L).build();
    Shake s = Pools.shake(many, "s1", "alice", 5);
    s.setSetId((s.getSetId() + 1) % 5);
    Decision d = SetAllocator.decide(many, s, store);
    assertThat(d.outcome().getOutcome()).isEqualTo(OutcomeCode.REJECTED);
    assertThat(d.outcome().getReason()).contains("not the user's set");
    assertThat(store.set()).isNull();
  }

  @Test
  void aShakeIdIsScopedToItsUserSoAnotherUserCannotReplayIt() {
    Decision alice = shake("s1", "alice", 1500);
    Decision mallory = shake("s1", "mallory", 1500);
    assertThat(mallory.outcome().getDuplicate()).as("mallory's own shake, not alice's answer").isFalse();
    assertThat(mallory.outcome().getGrantId()).isNotEqualTo(alice.grant().getGrantId());
    assertThat(shake("s1", "alice", 1501).outcome().getGrantId()).isEqualTo(alice.grant().getGrantId());
  }

  @Test
  void aLosingShakeIsAnsweredAlikeWhenRetriedWithoutAnyStateWritten() {
    for (int i = 0; i < 10; i++) {
      shake("w" + i, "u" + i, 1500); // exhausts the set
    }
    assertThat(shake("late", "zoe", 1500).outcome().getOutcome()).isEqualTo(OutcomeCode.POOL_EXHAUSTED);
    assertThat(shake("late", "zoe", 1900).outcome().getOutcome()).isEqualTo(OutcomeCode.POOL_EXHAUSTED);
    assertThat(store.user("zoe")).as("a set never refills, so nothing needs remembering").isNull();
  }

  @Test
  void aPacedShakeIsRememberedSoItsRetryIsNotReconsideredWhenMorePacketsAreReleased() {
    PoolDefinition paced = Pools.lucky(10_000, 10, 1, 100, 5000).setStartMillis(0L).setEndMillis(1000L)
        .setPacing(true).build();
    SetAllocator.decide(paced, Pools.shake(paced, "first", "amy", 0), store);
    Decision held = SetAllocator.decide(paced, Pools.shake(paced, "s1", "bob", 0), store);
    assertThat(held.outcome().getOutcome()).isEqualTo(OutcomeCode.NOT_LUCKY);
    Decision retry = SetAllocator.decide(paced, Pools.shake(paced, "s1", "bob", 900), store);
    assertThat(retry.outcome().getOutcome()).isEqualTo(OutcomeCode.NOT_LUCKY);
    assertThat(retry.outcome().getDuplicate()).isTrue();
    assertThat(retry.grant()).isNull();
    assertThat(SetAllocator.decide(paced, Pools.shake(paced, "s2", "bob", 900), store).grant())
        .as("a new shake of the same user can still win").isNotNull();
  }

  @Test
  void pacingReleasesPacketsEvenlyOverTheWindow() {
    PoolDefinition paced = Pools.lucky(10_000, 10, 1, 100, 5000).setStartMillis(0L).setEndMillis(1000L)
        .setPacing(true).build();
    List<OutcomeCode> codes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      codes.add(SetAllocator.decide(paced, Pools.shake(paced, "s" + i, "u" + i, 0), store).outcome().getOutcome());
    }
    assertThat(codes).containsExactly(OutcomeCode.WON, OutcomeCode.NOT_LUCKY, OutcomeCode.NOT_LUCKY,
        OutcomeCode.NOT_LUCKY, OutcomeCode.NOT_LUCKY);
    // At 50% of the window, 6 of 10 packets are released in all.
    int won = 0;
    for (int i = 10; i < 30; i++) {
      if (SetAllocator.decide(paced, Pools.shake(paced, "s" + i, "u" + i, 500), store).grant() != null) {
        won++;
      }
    }
    assertThat(won).isEqualTo(5);
  }

  @Test
  void theSameShakesGiveByteIdenticalGrants() {
    List<Shake> shakes = new ArrayList<>();
    PoolDefinition p = Pools.lucky(1_000_000, 1000, 7, 1, 5000).setEndMillis(10_000L).build();
    for (int i = 0; i < 3000; i++) {
      shakes.add(Pools.shake(p, "s" + i, "u" + (i % 1700), i));
    }
    var a = Audit.replay(java.util.Map.of("p1", p), shakes);
    var b = Audit.replay(java.util.Map.of("p1", p), shakes);
    assertThat(a).hasSize(1000);
    assertThat(a.keySet()).isEqualTo(b.keySet());
    a.forEach((id, bytes) -> assertThat(b.get(id)).isEqualTo(bytes));
    long total = a.values().stream().mapToLong(bytes -> Codecs.GRANT.decode(bytes).getCents()).sum();
    assertThat(total).isEqualTo(1_000_000);
  }
}
