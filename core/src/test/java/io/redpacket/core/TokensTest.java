package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokensTest {
  final Tokens tokens = new Tokens("a-secret-of-some-length");

  @Test
  void aMintedTokenNamesItsUserUntilItExpires() {
    String t = tokens.mint("alice", 2_000);
    assertThat(tokens.verify(t, 1_999)).isEqualTo("alice");
    assertThatThrownBy(() -> tokens.verify(t, 2_000)).hasMessageContaining("expired");
  }

  @Test
  void forgedAndMalformedTokensAreRefused() {
    String t = tokens.mint("alice", 2_000);
    String otherUser = t.replaceFirst("v1\\.[^.]+", "v1." + java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString("mallory".getBytes()));
    assertThatThrownBy(() -> tokens.verify(otherUser, 0)).hasMessageContaining("forged");
    assertThatThrownBy(() -> tokens.verify(t.replace(".2000.", ".9000."), 0)).hasMessageContaining("forged");
    assertThatThrownBy(() -> new Tokens("another-secret-xyz").verify(t, 0)).hasMessageContaining("forged");
    for (String bad : new String[] {"", "v1", "v2.a.1.b", "v1.a.notanumber.b", "v1.!!.1.b", "x".repeat(600)}) {
      assertThatThrownBy(() -> tokens.verify(bad, 0)).isInstanceOf(Tokens.InvalidTokenException.class);
    }
  }
}
