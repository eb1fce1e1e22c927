package io.redpacket.core;

import io.redpacket.avro.Grant;
import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.PoolStatus;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;

/**
 * The allocation rules for one shake in one (pool, set). Pure: the decision depends only on the
 * pool, the shake (its own timestamp, never a wall clock) and the set's state, so replaying
 * the same shakes in the same order gives the same grants, ids and amounts.
 */
public final class SetAllocator {
  /** Status is published every this many hundredths of a set's packets, and when it empties. */
  private static final int STATUS_STEPS = 100;

  private SetAllocator() {}

  public static Decision decide(PoolDefinition pool, Shake shake, SetStore store) {
    String poolId = pool.getPoolId();
    int setId = shake.getSetId();
    int expectedSet = StableHash.setOf(shake.getUserId(), pool.getSets());
    if (setId != expectedSet) {
      // Not remembered: a forged set must never occupy state in a set that is not the user's.
      return new Decision(outcome(shake, OutcomeCode.REJECTED, null, null,
          "setId " + setId + " is not the user's set " + expectedSet + " (stableHash(userId) mod " + pool.getSets() + ")", false), null, null);
    }

    SeenShake seen = store.seen(shake.getShakeId());
    if (seen != null) {
      if (!seen.userId.equals(shake.getUserId())) {
        return new Decision(outcome(shake, OutcomeCode.REJECTED, null, null, "shakeId already used by another user", true), null, null);
      }
      OutcomeCode code = OutcomeCode.values()[seen.outcome];
      return new Decision(outcome(shake, code, seen.grantId, seen.grantId == null ? null : seen.cents, null, true), null, null);
    }

    SetState set = store.set();
    PoolStatus status = null;
    if (set == null) {
      set = SetState.initial(PoolRules.setBudget(pool, setId));
      store.putSet(set);
      status = status(pool, setId, set, shake.getTimestamp());
    }

    Decision decision;
    long ts = shake.getTimestamp();
    if (set.retired) {
      // Not remembered: a retired set keeps no per-shake state.
      decision = new Decision(outcome(shake, OutcomeCode.REJECTED, null, null,
          "arrived after the pool's window and retention; answered late", false), null, status);
    } else if (ts < pool.getStartMillis() || ts >= pool.getEndMillis()) {
      decision = remember(store, shake, OutcomeCode.POOL_NOT_ACTIVE, null, null,
          ts < pool.getStartMillis() ? "pool opens at " + pool.getStartMillis() : "pool closed at " + pool.getEndMillis(), status);
    } else {
      UserWins wins = store.user(shake.getUserId());
      if (wins != null && wins.count >= pool.getPerUserLimit()) {
        decision = remember(store, shake, OutcomeCode.ALREADY_WON, wins.lastGrantId, wins.lastCents, null, status);
      } else if (set.remainingCount == 0) {
        decision = remember(store, shake, OutcomeCode.POOL_EXHAUSTED, null, null, null, status);
      } else if (pool.getPacing() && set.sequence >= released(pool, set, ts)) {
        decision = remember(store, shake, OutcomeCode.NOT_LUCKY, null, null, "paced: more packets are released later in the window", status);
      } else {
        decision = grant(pool, shake, store, set, wins);
      }
    }
    return decision;
  }

  /** Packets a paced set may have handed out by event time {@code ts}: evenly over the window, at least one. */
  static long released(PoolDefinition pool, SetState set, long ts) {
    double window = pool.getEndMillis() - pool.getStartMillis();
    long byNow = (long) Math.floor(set.initialCount * ((ts - pool.getStartMillis()) / window)) + 1;
    return Math.min(set.initialCount, byNow);
  }

  private static Decision grant(PoolDefinition pool, Shake shake, SetStore store, SetState set, UserWins wins) {
    int setId = shake.getSetId();
    long sequence = set.sequence + 1;
    long cents = SplitRule.next(pool.getSplitMode(), set.remainingCount, set.remainingCents,
        pool.getMinCents(), pool.getMaxCents(), DeterministicRandom.forPacket(pool.getPoolId(), setId, sequence));
    String grantId = Keys.grant(pool.getPoolId(), setId, sequence);
    set.sequence = sequence;
    set.remainingCount--;
    set.remainingCents -= cents;
    store.putSet(set);

    UserWins updated = wins == null ? new UserWins() : wins;
    updated.count++;
    updated.lastGrantId = grantId;
    updated.lastCents = cents;
    store.putUser(shake.getUserId(), updated);

    Grant grant = Grant.newBuilder()
        .setGrantId(grantId).setShakeId(shake.getShakeId()).setUserId(shake.getUserId())
        .setPoolId(pool.getPoolId()).setSetId(setId).setCents(cents).setSequence(sequence)
        .setTimestamp(shake.getTimestamp()).build();
    long step = Math.max(1, set.initialCount / STATUS_STEPS);
    PoolStatus status = set.remainingCount % step == 0 || set.remainingCount == 0
        ? status(pool, setId, set, shake.getTimestamp()) : null;
    Decision d = remember(store, shake, OutcomeCode.WON, grantId, cents, null, status);
    return new Decision(d.outcome(), grant, d.status());
  }

  private static Decision remember(SetStore store, Shake shake, OutcomeCode code, String grantId, Long cents,
      String reason, PoolStatus status) {
    SeenShake seen = new SeenShake();
    seen.userId = shake.getUserId();
    seen.outcome = code.ordinal();
    seen.grantId = grantId;
    seen.cents = cents == null ? 0 : cents;
    seen.timestamp = shake.getTimestamp();
    store.putSeen(shake.getShakeId(), seen);
    return new Decision(outcome(shake, code, grantId, cents, reason, false), null, status);
  }

  private static ShakeOutcome outcome(Shake shake, OutcomeCode code, String grantId, Long cents, String reason,
      boolean duplicate) {
    return ShakeOutcome.newBuilder()
        .setShakeId(shake.getShakeId()).setUserId(shake.getUserId()).setPoolId(shake.getPoolId())
        .setSetId(shake.getSetId()).setOutcome(code).setGrantId(grantId).setCents(cents).setReason(reason)
        .setDuplicate(duplicate).setTimestamp(shake.getTimestamp()).build();
  }

  /** An outcome for a shake whose pool is not known (after waiting for it), or that is otherwise refused before allocation. */
  public static ShakeOutcome refused(Shake shake, OutcomeCode code, String reason) {
    return outcome(shake, code, null, null, reason, false);
  }

  public static PoolStatus status(PoolDefinition pool, int setId, SetState set, long timestamp) {
    return PoolStatus.newBuilder()
        .setPoolId(pool.getPoolId()).setSetId(setId).setSets(pool.getSets())
        .setRemainingCount(set.remainingCount).setRemainingCents(set.remainingCents)
        .setGrantedCount(set.initialCount - set.remainingCount)
        .setGrantedCents(set.initialCents - set.remainingCents)
        .setExhausted(set.remainingCount == 0).setTimestamp(timestamp).build();
  }
}
