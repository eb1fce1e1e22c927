package io.redpacket.core;

/**
 * A Bloom filter of the keys that hold state in a subtask (the allocator's users, settlement's grants and wallets).
 * "Not in the filter" means certainly no state, so a state read for a key seen the first time (most losing
 * shakes, every new grant, a user's first credit) can be skipped; "maybe" falls back to the read. A filter never
 * forgets (keys whose state was cleared stay in it, as false positives), so it can never turn a winner into a
 * stranger or a settled grant into a new one: no false negatives, hence no double grants or credits. The bit
 * positions must never change: snapshots of filters are restored into new versions of the jobs.
 */
public final class KeyFilter {
  public static final int DEFAULT_BITS = 1 << 22; // 512 KiB: ~5e-5 false positives at 50,000 keys, 3 % at 500,000
  private static final int HASHES = 3;
  private final long[] words;
  private final int mask;

  public KeyFilter(int bits) {
    if (Integer.bitCount(bits) != 1 || bits < 64) {
      throw new IllegalArgumentException("bits must be a power of two of at least 64");
    }
    this.words = new long[bits / 64];
    this.mask = bits - 1;
  }

  /** A filter over the given words, as snapshotted by {@link #words()}. */
  public static KeyFilter of(long[] words) {
    KeyFilter f = new KeyFilter(words.length * 64);
    System.arraycopy(words, 0, f.words, 0, words.length);
    return f;
  }

  /**
   * A filter that holds everyone: every lookup falls back to the state read. For state restored without a filter
   * (a savepoint older than the filter, or one of another size), where "not in the filter" cannot be trusted.
   */
  public static KeyFilter everyone(int bits) {
    KeyFilter f = new KeyFilter(bits);
    java.util.Arrays.fill(f.words, -1L);
    return f;
  }

  /** Whether {@code otherWords} is a filter of this one's size, as {@link #addAll} needs. */
  public boolean sameSize(long[] otherWords) {
    return otherWords.length == words.length;
  }

  public void add(String key) {
    long h = StableHash.of(key);
    for (int i = 0; i < HASHES; i++) {
      int bit = (int) (h >>> (i * 21)) & mask;
      words[bit >>> 6] |= 1L << bit;
    }
  }

  public boolean mightContain(String key) {
    return mightContain(StableHash.of(key));
  }

  /** The same, given the key's {@link StableHash}. */
  public boolean mightContain(long h) {
    for (int i = 0; i < HASHES; i++) {
      int bit = (int) (h >>> (i * 21)) & mask;
      if ((words[bit >>> 6] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** Adds every key of {@code other} (same size): after a rescale each subtask takes the union of all. */
  public void addAll(long[] otherWords) {
    if (otherWords.length != words.length) {
      throw new IllegalArgumentException("filters of different sizes: " + otherWords.length + " vs " + words.length);
    }
    for (int i = 0; i < words.length; i++) {
      words[i] |= otherWords[i];
    }
  }

  public long[] words() {
    return words.clone();
  }
}
