package io.redpacket.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.ThreadLocalRandom;

/** How the simulated clients wait before retrying a {@code 429} or {@code 503}. */
final class Backoff {
  private Backoff() {}

  /**
   * Waits Retry-After and up to half of it again, or without one an exponential step times a random
   * factor in [0.5, 1.5), capped at 10 s: clients must not retry in step. Never sooner than Retry-After:
   * the ingest sheds until then, and it counts on retries not coming later than 1.5 times it (an open
   * whose grant expires within twice that and 5 s is not shed).
   */
  static Future<Void> after(Vertx vertx, String retryAfter, int attempt) {
    long delay = delayMillis(retryAfter, attempt, ThreadLocalRandom.current().nextDouble());
    return Future.future(p -> vertx.setTimer(delay, id -> p.complete()));
  }

  /** The wait for a draw {@code random} in [0, 1). */
  static long delayMillis(String retryAfter, int attempt, double random) {
    long seconds = -1;
    if (retryAfter != null) {
      try {
        seconds = Long.parseLong(retryAfter.trim());
      } catch (NumberFormatException e) {
        seconds = 1; // an HTTP date or garbage: a second, no sooner
      }
    }
    long delay = seconds >= 0
        ? (long) (Math.min(seconds * 1000, 10_000) * (1 + 0.5 * random))
        : (long) (Math.min(200L << Math.min(attempt, 16), 10_000) * (0.5 + random));
    return Math.max(1, delay);
  }
}
