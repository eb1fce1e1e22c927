package io.redpacket.kafka;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a condition, bounded: polls from 20 ms, backing off to 250 ms, and fails naming what
 * did not happen. The one place the tests and the launcher wait for the world (a broker, a job,
 * a service) instead of sleeping a guessed time.
 */
public final class Await {
  private Await() {}

  /** A condition that may throw, as most checks against a broker or an HTTP endpoint can. */
  public interface Condition {
    boolean met() throws Exception;
  }

  /** Thrown by a condition that can never be met (a process died, a job failed): ends the wait at once. */
  public static final class Abort extends RuntimeException {
    public Abort(String message) {
      super(message);
    }
  }

  /**
   * Returns as soon as {@code condition} holds.
   *
   * @throws IllegalStateException if it does not hold within {@code timeout}; a condition that
   *     throws counts as not (yet) met, except {@link Abort}, which is rethrown at once
   */
  public static void until(String what, Duration timeout, Condition condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 20_000_000L;
    Exception last = null;
    while (true) {
      try {
        if (condition.met()) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      } catch (Abort e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() >= deadline) {
        throw new IllegalStateException(what + " did not happen within " + timeout.toSeconds() + " s"
            + (last == null ? "" : " (last error: " + last + ")"), last);
      }
      LockSupport.parkNanos(Math.min(pause, Math.max(0, deadline - System.nanoTime())));
      pause = Math.min(pause * 2, 250_000_000L);
      if (Thread.interrupted()) {
        throw new IllegalStateException("interrupted while waiting for " + what);
      }
    }
  }
}
