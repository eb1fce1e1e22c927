package io.redpacket.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.SplitMode;
import io.redpacket.core.StableHash;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WavePlanTest {
  final PoolDefinition pool = PoolDefinition.newBuilder().setPoolId("p").setSponsor("s").setTotalCents(1000)
      .setTotalCount(10).setSets(7).setMinCents(1).setMaxCents(1000).setStartMillis(0L).setEndMillis(1L)
      .setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false).setCreatedMillis(0L).build();

  @Test
  void aSkewedMixWithRetriesAndTheRightSets() {
    WavePlan plan = new WavePlan(pool, 1000, 0.5, 0.02, 1, () -> 5L);
    Map<String, Integer> perUser = new HashMap<>();
    Set<String> ids = new HashSet<>();
    int retries = 0;
    for (int i = 0; i < 100_000; i++) {
      Shake s = plan.next();
      assertThat(s.getSetId()).isEqualTo(StableHash.setOf(s.getUserId(), 7));
      perUser.merge(s.getUserId(), 1, Integer::sum);
      if (!ids.add(s.getUserId() + "/" + s.getShakeId())) {
        retries++;
      }
    }
    int heavy = perUser.entrySet().stream().filter(e -> Integer.parseInt(e.getKey().substring(1)) < 100)
        .mapToInt(Map.Entry::getValue).sum();
    assertThat(heavy).as("a tenth of the users make about half the shakes").isBetween(50_000, 60_000);
    assertThat(retries).as("about 2% retried").isBetween(1_500, 2_500);
  }
}
