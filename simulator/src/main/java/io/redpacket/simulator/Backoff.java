package io.redpacket.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.ThreadLocalRandom;

/** How the simulated clients wait before retrying a {@code 429} or {@code 503}. */
final class Backoff {
  private Backoff() {}

  /**
   * Waits Retry-After (or an exponential step without one), capped at 10 s, times a random factor
   * in [0.5, 1.5): clients must not retry in step.
   */
  static Future<Void> after(Vertx vertx, String retryAfter, int attempt) {
    long base;
    try {
      base = retryAfter == null ? 200L << attempt : Long.parseLong(retryAfter) * 1000;
    } catch (NumberFormatException e) {
      base = 1000;
    }
    long delay = (long) (Math.min(base, 10_000) * (0.5 + ThreadLocalRandom.current().nextDouble()));
    return Future.future(p -> vertx.setTimer(Math.max(1, delay), id -> p.complete()));
  }
}
