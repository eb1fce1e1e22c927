package io.redpacket.core;

/**
 * The randomness of the split, derived only from (pool, set, sequence number): a replay draws
 * the same amounts. SplitMix64, written out so no JDK version can change it.
 */
public final class DeterministicRandom {
  private long state;

  private DeterministicRandom(long seed) {
    this.state = seed;
  }

  public static DeterministicRandom forPacket(String poolId, int setId, long sequence) {
    long seed = StableHash.of(poolId);
    seed = StableHash.mix(seed ^ (0x9E3779B97F4A7C15L * (setId + 1L)));
    seed = StableHash.mix(seed ^ (0xC2B2AE3D27D4EB4FL * sequence));
    return new DeterministicRandom(seed);
  }

  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [lo, hi], both inclusive, without modulo bias. */
  public long between(long lo, long hi) {
    if (hi < lo) {
      throw new IllegalArgumentException("empty range [" + lo + ", " + hi + "]");
    }
    long bound = hi - lo + 1;
    if (bound <= 0) { // the range spans more than Long.MAX_VALUE values
      long r;
      do {
        r = nextLong();
      } while (r < lo || r > hi);
      return r;
    }
    long limit = Long.MAX_VALUE - (Long.MAX_VALUE % bound);
    long r;
    do {
      r = nextLong() >>> 1;
    } while (r >= limit);
    return lo + r % bound;
  }
}
