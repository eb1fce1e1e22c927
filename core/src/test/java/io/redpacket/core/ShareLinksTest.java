package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ShareLinksTest {
  static final String SECRET = "a-secret-of-some-length";
  final ShareLinks links = new ShareLinks(SECRET);

  @Test
  void aCodeNamesItsShareAndIsOnePathSegment() {
    String code = links.code("wave-1/17/42");
    assertThat(links.shareId(code)).contains("wave-1/17/42");
    assertThat(code).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{22}").doesNotContain("wave-1/17/42");
    assertThat(links.code("wave-1/17/42")).as("the same share, the same code").isEqualTo(code);
    assertThat(links.code("wave-1/17/43")).isNotEqualTo(code);
    String longest = "p".repeat(128);
    assertThat(links.code(longest)).hasSizeLessThanOrEqualTo(ShareLinks.MAX_CODE_LENGTH);
    assertThat(links.shareId(links.code(longest))).contains(longest);
  }

  @Test
  void hostileCodesAreRefusedWithoutAnException() {
    String code = links.code("wave-1/17/42");
    int dot = code.indexOf('.');
    String mac = code.substring(dot + 1);
    String otherId = Base64.getUrlEncoder().withoutPadding()
        .encodeToString("wave-1/17/43".getBytes(StandardCharsets.UTF_8));
    char last = code.charAt(code.length() - 1);
    String[] hostile = {
      null, "", ".", "..", code + ".", "." + mac, code.substring(0, dot), code.substring(0, dot + 1),
      "wave-1/17/42", "wave-1%2F17%2F42", // the share id itself, as the finding's attacker would send it
      otherId + "." + mac, // another share's id with this one's mac
      code.substring(0, code.length() - 1), // truncated
      code + "A", // one character more
      code.substring(0, code.length() - 1) + (last == 'A' ? 'B' : 'A'), // only the last character's spare bits differ
      code.substring(0, dot) + "==." + mac, // padded
      code.substring(0, dot) + "." + mac + "==",
      "!!!." + mac, code.substring(0, dot) + ".!!!!", "\u00e9t\u00e9." + mac,
      code.substring(0, dot) + "." + "A".repeat(22), // a guessed mac
      "x".repeat(100_000) + "." + mac, // huge
      new ShareLinks("another-secret-0123456789").code("wave-1/17/42"), // made with another secret
    };
    for (String h : hostile) {
      assertThat(links.shareId(h)).as("%s", h).isEmpty();
    }
  }

  @Test
  void aShortSecretIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ShareLinks("short"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
