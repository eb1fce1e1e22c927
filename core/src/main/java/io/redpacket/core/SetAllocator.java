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
    long userHash = StableHash.of(shake.getUserId()); // once per shake: the user's set, then the store's filter
    int expectedSet = StableHash.setOf(userHash, pool.getSets());
    if (setId != expectedSet) {
      // Not remembered: a forged set must never occupy state in a set that is not the user's.
      return new Decision(outcome(shake, OutcomeCode.REJECTED, null, null,
          "setId " + setId + " is not the user's set " + expectedSet + " (stableHash(userId) mod " + pool.getSets() + ")", false), null, null);
    }

    UserRecord user = store.user(shake.getUserId(), userHash);
    if (user != null) {
      int won = user.winningIndex(shake.getShakeId());
      if (won >= 0) {
        return new Decision(outcome(shake, OutcomeCode.WON, user.winningGrantIds[won], user.winningCents[won], null, true),
            null, null);
      }
      int recent = user.recentIndex(shake.getShakeId());
      if (recent >= 0) {
        OutcomeCode code = OutcomeCode.values()[user.recentOutcomes[recent]];
        boolean withGrant = code == OutcomeCode.ALREADY_WON;
        return new Decision(outcome(shake, code, withGrant ? user.lastGrantId : null,
            withGrant ? user.lastCents : null, null, true), null, null);
      }
    }

    SetState set = store.set();
    PoolStatus status = null;
    if (set == null) {
      set = SetState.initial(PoolRules.setBudget(pool, setId));
      store.putSet(set);
      status = status(pool, setId, set, shake.getTimestamp());
    }

    long ts = shake.getTimestamp();
    if (set.retired) {
      // Not remembered: a retired set keeps no per-user state.
      return new Decision(outcome(shake, OutcomeCode.REJECTED, null, null,
          "arrived after the pool's window and retention; answered late", false), null, status);
    }
    UserRecord record = user == null ? new UserRecord() : user;
    Decision decision;
    if (ts < pool.getStartMillis() || ts >= pool.getEndMillis()) {
      decision = remember(store, shake, record, OutcomeCode.POOL_NOT_ACTIVE, null, null,
          ts < pool.getStartMillis() ? "pool opens at " + pool.getStartMillis() : "pool closed at " + pool.getEndMillis(), status,
          ts < pool.getStartMillis());
    } else if (record.wins >= pool.getPerUserLimit()) {
      decision = remember(store, shake, record, OutcomeCode.ALREADY_WON, record.lastGrantId, record.lastCents, null, status, false);
    } else if (set.remainingCount == 0) {
      decision = remember(store, shake, record, OutcomeCode.POOL_EXHAUSTED, null, null, null, status, false);
    } else if (pool.getPacing() && set.sequence >= released(pool, set, ts)) {
      decision = remember(store, shake, record, OutcomeCode.NOT_LUCKY, null, null,
          "paced: more packets are released later in the window", status, true);
    } else {
      decision = grant(pool, shake, store, set, record);
    }
    return decision;
  }

  /** Packets a paced set may have handed out by event time {@code ts}: evenly over the window, at least one. */
  static long released(PoolDefinition pool, SetState set, long ts) {
    double window = pool.getEndMillis() - pool.getStartMillis();
    long byNow = (long) Math.floor(set.initialCount * ((ts - pool.getStartMillis()) / window)) + 1;
    return Math.min(set.initialCount, byNow);
  }

  private static Decision grant(PoolDefinition pool, Shake shake, SetStore store, SetState set, UserRecord user) {
    int setId = shake.getSetId();
    long sequence = set.sequence + 1;
    long cents = SplitRule.next(pool.getSplitMode(), set.remainingCount, set.remainingCents,
        pool.getMinCents(), pool.getMaxCents(), DeterministicRandom.forPacket(pool.getPoolId(), setId, sequence));
    String grantId = Keys.grant(pool.getPoolId(), setId, sequence);
    set.sequence = sequence;
    set.remainingCount--;
    set.remainingCents -= cents;
    store.putSet(set);
    user.won(shake.getShakeId(), grantId, cents);
    store.putUser(shake.getUserId(), user);

    Grant grant = new Grant(grantId, shake.getShakeId(), shake.getUserId(), pool.getPoolId(), setId, cents, sequence,
        shake.getTimestamp(), pool.getSponsor(), pool.getShareCents(), pool.getSharePieces());
    long step = Math.max(1, set.initialCount / STATUS_STEPS);
    PoolStatus status = set.remainingCount % step == 0 || set.remainingCount == 0
        ? status(pool, setId, set, shake.getTimestamp()) : null;
    return new Decision(outcome(shake, OutcomeCode.WON, grantId, cents, null, false), grant, status);
  }

  /**
   * Answers a shake that won nothing. Only answers that a retry could see change are stored (a
   * shake before the window opens, a paced one): the others can only repeat themselves, since a
   * set never refills, a user's wins never shrink and time moves on. So a retry gets the same
   * answer either way, and a wave's millions of losing shakes cost a state read, not a write.
   */
  private static Decision remember(SetStore store, Shake shake, UserRecord user, OutcomeCode code, String grantId,
      Long cents, String reason, PoolStatus status, boolean couldChange) {
    if (couldChange) {
      user.remember(shake.getShakeId(), code.ordinal());
      store.putUser(shake.getUserId(), user);
    }
    return new Decision(outcome(shake, code, grantId, cents, reason, false), null, status);
  }

  private static ShakeOutcome outcome(Shake shake, OutcomeCode code, String grantId, Long cents, String reason,
      boolean duplicate) {
    // The all-args constructor: Avro's builders validate and copy defaults per field, too slow per shake.
    return new ShakeOutcome(shake.getShakeId(), shake.getUserId(), shake.getPoolId(), shake.getSetId(), code, grantId,
        cents, reason, duplicate, shake.getTimestamp());
  }

  /** An outcome for a shake whose pool is not known (after waiting for it), or that is otherwise refused before allocation. */
  public static ShakeOutcome refused(Shake shake, OutcomeCode code, String reason) {
    return outcome(shake, code, null, null, reason, false);
  }

  public static PoolStatus status(PoolDefinition pool, int setId, SetState set, long timestamp) {
    return new PoolStatus(pool.getPoolId(), setId, pool.getSets(), set.remainingCount, set.remainingCents,
        set.initialCount - set.remainingCount, set.initialCents - set.remainingCents, set.remainingCount == 0, timestamp);
  }
}
