package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StableHashTest {
  /**
   * Sets and filters snapshotted by earlier versions hold these hashes: every string must hash as FNV-1a over its UTF-8
   * bytes, whatever path computes it.
   */
  @Test
  void everyStringHashesAsItsUtf8Bytes() {
    List<String> fixed = List.of("", "u1", "user-000042", "é", "ünïcödé-user", "红包", "😀", "a😀b", "\u007f", "\u0080",
        "\ud800", "x\udc00y", "\u0000");
    for (String s : fixed) {
      assertThat(StableHash.of(s)).as(s).isEqualTo(StableHash.ofUtf8(s)).isEqualTo(fnv1aOfUtf8(s));
    }
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(24);
      for (int j = 0; j < length; j++) {
        // Mostly ASCII, sometimes any char (surrogate halves included), as hostile ids may be.
        b.append((char) (random.nextInt(8) == 0 ? random.nextInt(Character.MAX_VALUE + 1) : random.nextInt(0x80)));
      }
      String s = b.toString();
      assertThat(StableHash.of(s)).as("string %d", i).isEqualTo(fnv1aOfUtf8(s));
    }
  }

  /** Values the first version computed (before any fast path), which snapshots' filters and users' sets depend on. */
  @Test
  void keepsTheValuesOfTheFirstVersion() {
    assertThat(StableHash.of("alice")).isEqualTo(3821251815001557236L);
    assertThat(StableHash.of("u1")).isEqualTo(7185976944083972785L);
    assertThat(StableHash.of("红包")).isEqualTo(644350476898625015L);
    assertThat(StableHash.setOf("u1", 50)).isEqualTo(35);
  }

  /** The first version's code, word for word. */
  private static long fnv1aOfUtf8(String value) {
    long h = 0xcbf29ce484222325L;
    for (byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    return StableHash.mix(h);
  }
}
