package io.redpacket.core;

import java.nio.charset.StandardCharsets;

/**
 * A hash that is the same on every JVM, version and machine (unlike {@code Object.hashCode} of
 * most types): FNV-1a over the UTF-8 bytes, finished with MurmurHash3's 64-bit mixer so that
 * {@code mod sets} spreads users evenly even for sequential ids.
 */
public final class StableHash {
  private StableHash() {}

  public static long of(String value) {
    long h = 0xcbf29ce484222325L;
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
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
    return (int) Long.remainderUnsigned(of(userId), sets);
  }
}
