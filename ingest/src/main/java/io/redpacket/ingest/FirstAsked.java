package io.redpacket.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import java.time.Duration;

/**
 * When the ingest first received each open (by user, grant and idempotency key), kept for its retries.
 * The settlement job judges an open against its grant's expiry by the time it is written with; a retry
 * after a {@code 503} (Kafka away, as while a broker fails over), a {@code 429} or a lost answer is the
 * same request, and is written with the first time, so that retrying never makes an open sent in time
 * a late one.
 */
final class FirstAsked {
  /**
   * Longer than a client keeps retrying through a Kafka outage or a lost answer (its request timeout,
   * 20 s, and its back-off), and than the settlement's grace for late opens.
   */
  static final Duration KEPT = Duration.ofMinutes(2);
  private final Cache<String, Long> asked;

  FirstAsked(CacheBudget caches) {
    this.asked = caches.cache(CacheBudget.Use.FIRST_ASKED, t -> 16, KEPT, false);
  }

  /** When this request was first received: {@code now} if it is new (or was asked over {@link #KEPT} ago). */
  long of(String route, String userId, String target, String idempotencyKey, long now) {
    return asked.get(route + '\n' + userId + '\n' + target + '\n' + idempotencyKey, k -> now);
  }
}
