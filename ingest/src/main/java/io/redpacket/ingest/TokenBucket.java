package io.redpacket.ingest;

/** A token bucket: {@code rate} tokens per second, at most {@code burst} saved up. Thread-safe. */
final class TokenBucket {
  private final double rate;
  private final double burst;
  private double tokens;
  private long last;

  TokenBucket(double rate, double burst, long nowNanos) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes a token if there is one; otherwise returns the seconds until there will be (at least 1). */
  synchronized long take(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - last) / 1e9 * rate);
    last = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
  }
}
