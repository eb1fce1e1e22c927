package io.redpacket.core;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An HMAC-SHA256 key made from the service's secret, shared by {@link Tokens} and {@link ShareLinks}.
 * Mac instances are not thread-safe and costly to create: one per thread, keyed once.
 */
final class HmacKey {
  private final byte[] secret;
  private final ThreadLocal<Mac> macs;

  /** Refuses a secret of fewer than 16 characters, saying so. */
  HmacKey(String secret) {
    if (secret == null || secret.length() < 16) {
      throw new IllegalArgumentException("the token secret must be at least 16 characters");
    }
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** The MAC of {@code text}'s UTF-8 bytes. */
  byte[] mac(String text) {
    return macs.get().doFinal(text.getBytes(StandardCharsets.UTF_8));
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
