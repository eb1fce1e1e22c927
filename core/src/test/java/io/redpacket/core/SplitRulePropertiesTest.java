package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class SplitRulePropertiesTest {

  @Provide
  Arbitrary<PoolDefinition> pools() {
    Arbitrary<Integer> counts = Arbitraries.integers().between(1, 3000);
    Arbitrary<Long> mins = Arbitraries.longs().between(1, 500);
    Arbitrary<Long> spans = Arbitraries.longs().between(0, 50_000);
    Arbitrary<Double> fill = Arbitraries.doubles().between(0, 1);
    Arbitrary<Integer> sets = Arbitraries.integers().between(1, 64);
    Arbitrary<Boolean> fixed = Arbitraries.of(true, false);
    return Combinators.combine(counts, mins, spans, fill, sets, fixed).as((count, min, span, f, s, isFixed) -> {
      long max = min + span;
      long total = isFixed
          ? count * (min + (long) (f * span))
          : count * min + (long) (f * count * span);
      return Pools.lucky(total, count, Math.min(s, count), min, max)
          .setSplitMode(isFixed ? SplitMode.FIXED : SplitMode.LUCKY).build();
    });
  }

  @Property(tries = 300)
  void everyPacketWithinBoundsAndSetsPayExactlyTheirBudget(@ForAll("pools") PoolDefinition pool) {
    assertThat(PoolRules.validate(pool)).isEmpty();
    PoolRules.SetBudget[] budgets = PoolRules.setBudgets(pool);
    long countSum = 0;
    long centsSum = 0;
    long paid = 0;
    for (int set = 0; set < budgets.length; set++) {
      PoolRules.SetBudget b = budgets[set];
      assertThat(b.count()).isPositive();
      assertThat(b.cents()).isBetween(b.count() * pool.getMinCents(), b.count() * pool.getMaxCents());
      countSum += b.count();
      centsSum += b.cents();
      long n = b.count();
      long r = b.cents();
      long first = -1;
      for (long seq = 1; seq <= b.count(); seq++) {
        long amount = SplitRule.next(pool.getSplitMode(), n, r, pool.getMinCents(), pool.getMaxCents(),
            DeterministicRandom.forPacket(pool.getPoolId(), set, seq));
        assertThat(amount).isBetween(pool.getMinCents(), pool.getMaxCents());
        if (n == 1) {
          assertThat(amount).as("the last packet takes all that is left").isEqualTo(r);
        }
        if (pool.getSplitMode() == SplitMode.FIXED) {
          if (first < 0) {
            first = amount;
          }
          assertThat(amount).as("fixed packets are equal").isEqualTo(first);
        }
        n--;
        r -= amount;
        paid += amount;
      }
      assertThat(r).as("nothing left in set " + set).isZero();
    }
    assertThat(countSum).isEqualTo(pool.getTotalCount());
    assertThat(centsSum).isEqualTo(pool.getTotalCents());
    assertThat(paid).as("an exhausted pool pays exactly its budget").isEqualTo(pool.getTotalCents());
  }

  @Property(tries = 200)
  void drawsAreDeterministicPerPoolSetAndSequence(@ForAll("pools") PoolDefinition pool) {
    PoolRules.SetBudget b = PoolRules.setBudgets(pool)[0];
    long a = SplitRule.next(pool.getSplitMode(), b.count(), b.cents(), pool.getMinCents(), pool.getMaxCents(),
        DeterministicRandom.forPacket(pool.getPoolId(), 0, 1));
    long again = SplitRule.next(pool.getSplitMode(), b.count(), b.cents(), pool.getMinCents(), pool.getMaxCents(),
        DeterministicRandom.forPacket(pool.getPoolId(), 0, 1));
    assertThat(again).isEqualTo(a);
  }

  @Property(tries = 500)
  void betweenStaysInRange(@ForAll long seed, @ForAll("ranges") long[] range) {
    DeterministicRandom r = DeterministicRandom.forPacket("p", (int) (seed & 0xff), seed);
    long v = r.between(range[0], range[1]);
    assertThat(v).isBetween(range[0], range[1]);
  }

  @Provide
  Arbitrary<long[]> ranges() {
    return Arbitraries.longs().between(-1_000_000, 1_000_000_000_000L).flatMap(lo ->
        Arbitraries.longs().between(0, 1_000_000).map(w -> new long[] {lo, lo + w}));
  }
}
