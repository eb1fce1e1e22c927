package io.redpacket.core;

import io.redpacket.avro.SplitMode;

/**
 * How much the next packet of a set holds.
 *
 * <p>"Lucky" is the double-average rule: with {@code n} packets and {@code r} cents left, draw
 * from {@code [min, 2r/n]}, clamped so that the {@code n-1} packets that remain can still each
 * get at least {@code min} and at most {@code max}; the last packet takes all that is left.
 * "Fixed" gives equal packets. Requires {@code n*min <= r <= n*max}, which the set budgets
 * guarantee and every draw preserves.
 */
public final class SplitRule {
  private SplitRule() {}

  public static long next(SplitMode mode, long n, long r, long min, long max, DeterministicRandom random) {
    if (n <= 0) {
      throw new IllegalArgumentException("no packets left");
    }
    if (n == 1) {
      return r;
    }
    if (mode == SplitMode.FIXED) {
      return r / n;
    }
    long lo = Math.max(min, r - saturatingMultiply(n - 1, max));
    long hi = Math.min(Math.min(max, 2 * r / n), r - (n - 1) * min);
    return random.between(lo, hi);
  }

  static long saturatingMultiply(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
      return low;
    }
    return (high < 0) == false ? Long.MAX_VALUE : Long.MIN_VALUE;
  }
}
