package io.redpacket.core;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.SplitMode;

/** Test fixtures. */
final class Pools {
  private Pools() {}

  static PoolDefinition.Builder lucky(long totalCents, int count, int sets, long min, long max) {
    return PoolDefinition.newBuilder().setPoolId("p1").setSponsor("acme").setTotalCents(totalCents)
        .setTotalCount(count).setSets(sets).setMinCents(min).setMaxCents(max).setStartMillis(0L)
        .setEndMillis(1_000_000L).setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false)
        .setCreatedMillis(0L);
  }

  static Shake shake(PoolDefinition pool, String shakeId, String userId, long ts) {
    return Shake.newBuilder().setShakeId(shakeId).setUserId(userId).setPoolId(pool.getPoolId())
        .setSetId(StableHash.setOf(userId, pool.getSets())).setTimestamp(ts).build();
  }
}
