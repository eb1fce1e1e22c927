package io.redpacket.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.kafka.Await;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VirtualUsersTest {
  private final VirtualUsers users = new VirtualUsers("http://127.0.0.1:9", "a-test-secret-of-32-characters!!", 1, Duration.ofSeconds(1));

  @AfterEach
  void close() {
    users.close();
  }

  @Test
  void aRequestThatNeverCompletesIsGivenUpAtItsDeadlineAndCountedOnce() throws Exception {
    AtomicInteger cut = new AtomicInteger();
    Promise<String> never = Promise.promise();
    Future<String> bounded = users.bounded(never.future(), System.nanoTime() + 200_000_000L, "none", cut::incrementAndGet);
    assertThat(bounded.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("none");
    never.complete("late"); // an answer after the deadline changes nothing
    assertThat(bounded.result()).isEqualTo("none");
    // The timer completes the outcome, then counts the cut: a waiter woken by the outcome can run
    // before the count, so wait for it (bounded) rather than read it at once.
    Await.until("the cut is counted", Duration.ofSeconds(10), () -> cut.get() >= 1);
    assertThat(cut).hasValue(1);
  }

  @Test
  void anAnswerBeforeTheDeadlineIsPassedOnAndNothingIsCut() throws Exception {
    AtomicInteger cut = new AtomicInteger();
    Promise<String> answer = Promise.promise();
    Future<String> bounded = users.bounded(answer.future(), System.nanoTime() + 5_000_000_000L, "none", cut::incrementAndGet);
    answer.complete("SHARED");
    assertThat(bounded.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("SHARED");
    Promise<String> failing = Promise.promise();
    Future<String> failed = users.bounded(failing.future(), System.nanoTime() + 5_000_000_000L, "none", cut::incrementAndGet);
    failing.fail("connection reset");
    assertThat(failed.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("none");
    assertThat(cut).hasValue(0);
  }

  @Test
  void usersStartedFromOneThreadRunOnEveryCoresEventLoop() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(4 * cores);
    for (int i = 0; i < 4 * cores; i++) { // as the wave, the opens and the shares start their users: from one thread
      users.later(1, () -> {
        threads.add(Thread.currentThread().getName());
        ran.countDown();
      });
    }
    assertThat(ran.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(threads).as("event-loop threads that ran users").hasSize(cores)
        .allMatch(t -> t.contains("eventloop"));
  }

  @Test
  void theDeadlineIsTheTimeoutPlusAGrace() {
    long t0 = System.nanoTime();
    assertThat(users.deadline(t0) - t0).isEqualTo(Duration.ofSeconds(1).toNanos() + VirtualUsers.GRACE_MILLIS * 1_000_000);
  }
}
