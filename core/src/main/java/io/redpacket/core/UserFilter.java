package io.redpacket.core;

/**
 * A Bloom filter of the users that hold state in a subtask. "Not in the filter" means certainly no
 * state, so the allocator can skip a state read for most losing shakes; "maybe" falls back to the
 * read. A filter never forgets (retired users stay in it, as false positives), so it can never
 * turn a winner into a stranger: no false negatives, hence no double grants.
 */
public final class UserFilter {
  public static final int DEFAULT_BITS = 1 << 22; // 512 KiB: ~5e-5 false positives at 50,000 users
  private static final int HASHES = 3;
  private final long[] words;
  private final int mask;

  public UserFilter(int bits) {
    if (Integer.bitCount(bits) != 1 || bits < 64) {
      throw new IllegalArgumentException("bits must be a power of two of at least 64");
    }
    this.words = new long[bits / 64];
    this.mask = bits - 1;
  }

  /** A filter over the given words, as snapshotted by {@link #words()}. */
  public static UserFilter of(long[] words) {
    UserFilter f = new UserFilter(words.length * 64);
    System.arraycopy(words, 0, f.words, 0, words.length);
    return f;
  }

  /**
   * A filter that holds everyone: every lookup falls back to the state read. For state restored without a filter
   * (a savepoint older than the filter, or one of another size), where "not in the filter" cannot be trusted.
   */
  public static UserFilter everyone(int bits) {
    UserFilter f = new UserFilter(bits);
    java.util.Arrays.fill(f.words, -1L);
    return f;
  }

  /** Whether {@code otherWords} is a filter of this one's size, as {@link #addAll} needs. */
  public boolean sameSize(long[] otherWords) {
    return otherWords.length == words.length;
  }

  public void add(String userId) {
    long h = StableHash.of(userId);
    for (int i = 0; i < HASHES; i++) {
      int bit = (int) (h >>> (i * 21)) & mask;
      words[bit >>> 6] |= 1L << bit;
    }
  }

  public boolean mightContain(String userId) {
    long h = StableHash.of(userId);
    for (int i = 0; i < HASHES; i++) {
      int bit = (int) (h >>> (i * 21)) & mask;
      if ((words[bit >>> 6] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** Adds every user of {@code other} (same size): after a rescale each subtask takes the union of all. */
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
