package io.redpacket.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * User tokens: {@code v1.<base64url(userId)>.<expiry millis>.<base64url(HMAC-SHA256)>}, the MAC
 * over the version, user and expiry with a server secret. Stateless: any ingest instance with the
 * secret can check any token. The simulator mints its users' tokens with the same code.
 */
public final class Tokens {
  public static final int MAX_TOKEN_LENGTH = 512;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final HmacKey key;

  public Tokens(String secret) {
    this.key = new HmacKey(secret);
  }

  /** Raised for every token that must not be trusted; the message says why, without echoing secrets. */
  public static final class InvalidTokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidTokenException(String message) {
      super(message);
    }
  }

  public String mint(String userId, long expiresAtMillis) {
    String body = "v1." + B64.encodeToString(userId.getBytes(StandardCharsets.UTF_8)) + "." + expiresAtMillis;
    return body + "." + B64.encodeToString(mac(body));
  }

  /** The user the token was minted for; throws when it is malformed, forged or expired at {@code nowMillis}. */
  public String verify(String token, long nowMillis) {
    if (token == null || token.isEmpty()) {
      throw new InvalidTokenException("missing token: send Authorization: Bearer <token>");
    }
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw new InvalidTokenException("token too long");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("v1")) {
      throw new InvalidTokenException("malformed token");
    }
    byte[] given;
    String userId;
    long expires;
    try {
      given = B64D.decode(parts[3]);
      userId = new String(B64D.decode(parts[1]), StandardCharsets.UTF_8);
      expires = Long.parseLong(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("malformed token");
    }
    if (!MessageDigest.isEqual(given, mac(parts[0] + "." + parts[1] + "." + parts[2]))) {
      throw new InvalidTokenException("forged token: the signature does not match");
    }
    if (expires <= nowMillis) {
      throw new InvalidTokenException("expired token: mint a new one");
    }
    if (userId.isEmpty() || userId.length() > ShakeRules.MAX_ID_LENGTH) {
      throw new InvalidTokenException("malformed token");
    }
    return userId;
  }

  private byte[] mac(String body) {
    return key.mac(body);
  }
}
