package io.redpacket.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Share codes: what a sharer sends friends so they can claim, {@code <base64url(shareId)>.<base64url(mac)>},
 * the mac the first 128 bits of HMAC-SHA256 over the share id with the ingest's token secret. A share's id is
 * its grant's id ({@code pool/set/sequence}) and can be guessed; its mac cannot, so only those the sharer gave
 * the code to can claim. Stateless like {@link Tokens}: any ingest instance with the secret checks any code,
 * and nothing is stored or written to Kafka for it.
 */
public final class ShareLinks {
  /** Longer is no code: the longest share id (128 characters) and its mac take 194. */
  public static final int MAX_CODE_LENGTH = 200;
  private static final int MAC_BYTES = 16;
  /** Token MACs are over {@code v1.…}: this prefix keeps a share's MAC from ever being a token's, and back. */
  private static final String DOMAIN = "share-code\n";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final HmacKey key;

  public ShareLinks(String secret) {
    this.key = new HmacKey(secret);
  }

  /** The code of a share: URL-safe as it is, one path segment. */
  public String code(String shareId) {
    byte[] mac = key.mac(DOMAIN + shareId);
    return B64.encodeToString(shareId.getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(Arrays.copyOf(mac, MAC_BYTES));
  }

  /** The share a code was made for; empty for anything else (malformed, altered, made with another secret). Never throws. */
  public Optional<String> shareId(String code) {
    if (code == null || code.isEmpty() || code.length() > MAX_CODE_LENGTH) {
      return Optional.empty();
    }
    int dot = code.indexOf('.');
    if (dot <= 0 || dot != code.lastIndexOf('.')) {
      return Optional.empty();
    }
    String shareId;
    try {
      shareId = new String(B64D.decode(code.substring(0, dot)), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    // Made again and compared whole, in constant time: the same code in another spelling (padding, spare low
    // bits in the last character) is not accepted either.
    boolean genuine = MessageDigest.isEqual(code(shareId).getBytes(StandardCharsets.UTF_8),
        code.getBytes(StandardCharsets.UTF_8));
    return genuine ? Optional.of(shareId) : Optional.empty();
  }
}
