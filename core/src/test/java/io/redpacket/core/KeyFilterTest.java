package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyFilterTest {
  @Test
  void neverForgetsAUserAndRarelyClaimsAStranger() {
    KeyFilter f = new KeyFilter(KeyFilter.DEFAULT_BITS);
    for (int i = 0; i < 50_000; i++) {
      f.add("u" + i);
    }
    for (int i = 0; i < 50_000; i++) {
      assertThat(f.mightContain("u" + i)).isTrue();
    }
    int falsePositives = 0;
    for (int i = 50_000; i < 1_050_000; i++) {
      falsePositives += f.mightContain("u" + i) ? 1 : 0;
    }
    assertThat(falsePositives).as("of a million strangers").isLessThan(1_000);
  }

  @Test
  void aKeyAndItsStableHashAreTheSameLookup() {
    KeyFilter f = new KeyFilter(1024);
    for (int i = 0; i < 100; i++) {
      f.add("u" + i);
    }
    for (int i = 0; i < 2_000; i++) {
      assertThat(f.mightContain(StableHash.of("u" + i))).as("u%d", i).isEqualTo(f.mightContain("u" + i));
    }
  }

  @Test
  void theUnionOfSnapshotsKnowsEveryUserOfEach() {
    KeyFilter a = new KeyFilter(1024);
    KeyFilter b = new KeyFilter(1024);
    a.add("alice");
    b.add("bob");
    KeyFilter restored = KeyFilter.of(a.words());
    restored.addAll(b.words());
    assertThat(restored.mightContain("alice")).isTrue();
    assertThat(restored.mightContain("bob")).isTrue();
  }
}
