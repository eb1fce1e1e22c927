package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.SplitMode;
import org.junit.jupiter.api.Test;

class PoolRulesTest {

  @Test
  void theDemoPoolIsValidAndSplitsEvenly() {
    var pool = Pools.lucky(100_000_000L, 100_000, 50, 1, 20_000).build();
    assertThat(PoolRules.validate(pool)).isEmpty();
    PoolRules.SetBudget[] b = PoolRules.setBudgets(pool);
    assertThat(b).hasSize(50);
    assertThat(b[0]).isEqualTo(new PoolRules.SetBudget(2000, 2_000_000));
  }

  @Test
  void countTimesMinAboveTotalIsImpossible() {
    var errors = PoolRules.validate(Pools.lucky(1000, 100, 1, 20, 100).build());
    assertThat(errors).singleElement().asString()
        .contains("totalCount x minCents = 2000 cents exceeds totalCents = 1000");
  }

  @Test
  void countTimesMaxBelowTotalIsImpossible() {
    assertThat(PoolRules.validate(Pools.lucky(100_000, 10, 1, 1, 100).build()))
        .singleElement().asString().contains("below totalCents");
  }

  @Test
  void fixedNeedsADivisibleTotalAndSaysWhichTotalsWork() {
    assertThat(PoolRules.validate(Pools.lucky(1001, 10, 1, 1, 1000).setSplitMode(SplitMode.FIXED).build()))
        .singleElement().asString().contains("1000 or 1010");
  }

  @Test
  void aShareAllowanceNeedsPiecesAndACentForEach() {
    var ok = Pools.lucky(100_000, 100, 1, 1, 5_000).setShareCents(1_000L).setSharePieces(10).build();
    assertThat(PoolRules.validate(ok)).isEmpty();
    assertThat(PoolRules.validate(Pools.lucky(100_000, 100, 1, 1, 5_000).setShareCents(5L).setSharePieces(10).build()))
        .singleElement().asString().contains("every piece needs a cent");
    assertThat(PoolRules.validate(Pools.lucky(100_000, 100, 1, 1, 5_000).setShareCents(500L).setSharePieces(0).build()))
        .singleElement().asString().contains("sharePieces must be between 1 and 100");
    assertThat(PoolRules.validate(Pools.lucky(100_000, 100, 1, 1, 5_000).setShareCents(0L).setSharePieces(3).build()))
        .singleElement().asString().contains("shareCents must be 0 (no sharing) or between 1");
    assertThat(PoolRules.validate(Pools.lucky(100_000, 100, 1, 1, 5_000).setShareCents(-1L).setSharePieces(101).build()))
        .hasSize(2);
  }

  @Test
  void everyFieldIsBounded() {
    var bad = Pools.lucky(0, 0, 0, 0, -1).setPoolId("a/b").setSponsor("").setEndMillis(-5L).setPerUserLimit(0).build();
    assertThat(PoolRules.validate(bad)).hasSize(9);
    assertThat(PoolRules.validate(Pools.lucky(100, 10, 20, 1, 100).build()))
        .singleElement().asString().contains("cannot exceed totalCount");
    assertThat(PoolRules.validate(Pools.lucky(100, 10, 2, 1, 100).setPoolId("x".repeat(65)).build())).hasSize(1);
  }
}
