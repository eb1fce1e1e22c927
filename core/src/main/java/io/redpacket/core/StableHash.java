package io.redpacket.core;

import java.nio.charset.StandardCharsets;

/**
 * A hash that is the same on every JVM, version and machine (unlike {@code Object.hashCode} of
 * most types): FNV-1a over the UTF-8 bytes, finished with MurmurHash3's 64-bit mixer so that
 * {@code mod sets} spreads users evenly even for sequential ids.
 */
public final class StableHash {
  private static final long OFFSET = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;

  private StableHash() {}

  public static long of(String value) {
    // Ids are ASCII, whose UTF-8 bytes are their chars: hashed without encoding a copy (it ran twice per shake).
    long h = OFFSET;
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      if (c >= 0x80) {
        return ofUtf8(value);
      }
      h ^= c;
      h *= PRIME;
    }
    return mix(h);
  }

  /** The same hash over the string's UTF-8 bytes, for strings beyond ASCII. */
  static long ofUtf8(String value) {
    long h = OFFSET;
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= PRIME;
    }
    return mix(h);
  }

  public static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  /** The set a user always lands in, for a pool split into {@code sets} sets. */
  public static int setOf(String userId, int sets) {
    return setOf(of(userId), sets);
  }

  /** The set of a user whose id hashes to {@code userHash} ({@link #of}). */
  public static int setOf(long userHash, int sets) {
    return (int) Long.remainderUnsigned(userHash, sets);
  }
}
