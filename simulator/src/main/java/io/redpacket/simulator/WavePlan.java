package io.redpacket.simulator;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.core.StableHash;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * A wave of shakes for one pool from many users, with a realistic skew: a tenth of the users
 * (the keen ones and the scripts) make about half the shakes, most shake a little, and a few
 * percent of shakes are a client retrying with the same shakeId.
 *
 * <p>Not thread-safe: one plan per producing thread.
 */
public final class WavePlan {
  private final PoolDefinition pool;
  private final int users;
  private final double heavyShare;
  private final double retryShare;
  private final SplittableRandom random;
  private final LongSupplier clock;
  private long next;
  private Shake last;

  /**
   * @param users distinct users taking part
   * @param heavyShare share of shakes made by the busiest tenth of the users
   * @param retryShare share of shakes that repeat the previous shake's id (a client retrying)
   * @param clock the time the ingest would stamp
   */
  public WavePlan(PoolDefinition pool, int users, double heavyShare, double retryShare, long seed, LongSupplier clock) {
    if (users < 1) {
      throw new IllegalArgumentException("users must be at least 1");
    }
    this.pool = pool;
    this.users = users;
    this.heavyShare = heavyShare;
    this.retryShare = retryShare;
    this.random = new SplittableRandom(seed);
    this.clock = clock;
  }

  public static WavePlan standard(PoolDefinition pool, int users, long seed) {
    return new WavePlan(pool, users, 0.5, 0.02, seed, System::currentTimeMillis);
  }

  public Shake next() {
    if (last != null && random.nextDouble() < retryShare) {
      Shake retry = Shake.newBuilder(last).setTimestamp(clock.getAsLong()).build();
      last = null; // one retry per shake is enough
      return retry;
    }
    int heavy = Math.max(1, users / 10);
    int user = random.nextDouble() < heavyShare ? random.nextInt(heavy) : random.nextInt(users);
    String userId = "u" + user;
    Shake s = Shake.newBuilder()
        .setShakeId("s-" + Long.toString(StableHash.mix(random.nextLong() ^ next++), 36).replace('-', 'x'))
        .setUserId(userId)
        .setPoolId(pool.getPoolId())
        .setSetId(StableHash.setOf(userId, pool.getSets()))
        .setTimestamp(clock.getAsLong())
        .setDevice(random.nextInt(3) == 0 ? "android" : "ios")
        .build();
    last = s;
    return s;
  }
}
