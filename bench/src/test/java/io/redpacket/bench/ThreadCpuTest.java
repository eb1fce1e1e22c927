package io.redpacket.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/**
 * The benches' table of CPU per input by what used it: threads counted as their task or kind, a thread that ends
 * before the count stops still counted, and the table's rows as the medians of the measured rounds.
 */
class ThreadCpuTest {
  @Test
  void threadsAreCountedAsTheirTaskOrTheirKind() {
    assertThat(ThreadCpu.group("settle-2 -> settle-2-sink: Writer -> settle-2-sink: Committer (1/2)#0"))
        .isEqualTo("task settle-2");
    assertThat(ThreadCpu.group("settle-2 -> settle-2-sink: Writer -> settle-2-sink: Committer (2/2)#3"))
        .isEqualTo("task settle-2");
    assertThat(ThreadCpu.group("Source: grants-source -> decode-grants (1/2)#0")).isEqualTo("task Source: grants-source");
    assertThat(ThreadCpu.group("wallet (2/2)")).isEqualTo("task wallet");
    assertThat(ThreadCpu.group("kafka-producer-network-thread | producer-bench-settlement-1--settle-2"))
        .isEqualTo("Kafka producers' I/O threads");
    assertThat(ThreadCpu.group("ChangelogBlockingExecutor-3")).isEqualTo("state changelog uploads");
    assertThat(ThreadCpu.group("Source Data Fetcher for Source: opens-source (1/2)#0")).isEqualTo("Kafka sources' fetchers");
    assertThat(ThreadCpu.group("flink-pekko.actor.default-dispatcher-5")).isEqualTo("other threads (Flink's, Kafka clients')");
  }

  /** Spins until the calling thread has used {@code nanos} of CPU in all (however long that takes). */
  static long spinUntilCpu(long nanos) {
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long x = 0;
    while (mx.getCurrentThreadCpuTime() < nanos) {
      x += Long.numberOfTrailingZeros(x + 1);
    }
    return x;
  }

  /**
   * A thread named as a subtask ({@code task spin}) that, on each request, spins until its own CPU time reaches a
   * mark and then waits, alive, for the next; closing it ends it.
   */
  static final class Spinner implements AutoCloseable {
    private final BlockingQueue<Long> marks = new LinkedBlockingQueue<>();
    private final Semaphore reached = new Semaphore(0);
    private final Thread thread = new Thread(() -> {
      try {
        for (long mark = marks.take(); mark >= 0; mark = marks.take()) {
          spinUntilCpu(mark);
          reached.release();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "spin (1/1)#0");

    Spinner() {
      thread.start();
    }

    /** Returns once the thread has used {@code cpuNanos} of CPU in all. */
    void spinTo(long cpuNanos) throws InterruptedException {
      marks.put(cpuNanos);
      reached.acquire();
    }

    @Override
    public void close() throws InterruptedException {
      marks.put(-1L);
      thread.join();
    }
  }

  @Test
  void aThreadStartedSinceTheCountBeganIsCountedWholeEvenOnceItHasEnded() throws Exception {
    assumeThat(ThreadCpu.supported()).as("this JVM tells each thread's CPU time").isTrue();
    long begin = System.nanoTime();
    ThreadCpu cpu = new ThreadCpu(Optional.empty()); // polled by hand below, not every 100 ms
    try (Spinner spin = new Spinner()) {
      spin.spinTo(300_000_000L); // 0.3 s, all before the count first sees this thread
      cpu.poll(false); // first seen here, with its 0.3 s already used: they count, it started after the count began
    } // ended before the count stops: what it used is still counted, once
    cpu.stop();
    Map<String, Double> used = cpu.between(begin, System.nanoTime());
    assertThat(used.get("task spin")).isBetween(0.29, 0.36);
    assertThat(used).containsKey(ThreadCpu.REST_OF_JVM);
  }

  @Test
  void onlyTheCpuUsedWithinTheWindowCounts() throws Exception {
    assumeThat(ThreadCpu.supported()).as("this JVM tells each thread's CPU time").isTrue();
    ThreadCpu cpu = new ThreadCpu(Optional.empty());
    long from;
    long to;
    try (Spinner spin = new Spinner()) {
      spin.spinTo(200_000_000L); // before the window (a job's start-up, say)
      cpu.poll(false);
      from = System.nanoTime();
      spin.spinTo(400_000_000L); // 0.2 s more, within it
      cpu.poll(false);
      to = System.nanoTime();
    }
    cpu.stop();
    assertThat(cpu.between(from, to).get("task spin")).isBetween(0.19, 0.26);
  }

  @Test
  void theTableGivesEachUsersMedianPerInputForTheJobAndItsPassThrough() {
    List<BenchSupport.Run> runs = List.of(
        run("settlement", 0, 1_000, Map.of("task settle-2", 99.0)), // warm-up: not counted
        run("settlement", 1, 1_000_000, Map.of("task settle-2", 10.0, "the broker (its own process)", 4.0)),
        run("settlement", 2, 1_000_000, Map.of("task settle-2", 12.0, "the broker (its own process)", 5.0)),
        run("settlement", 3, 1_000_000, Map.of("task settle-2", 30.0, "the broker (its own process)", 6.0)),
        run("pass-through", 1, 1_000_000, Map.of("task settle", 2.0, "the broker (its own process)", 4.0)),
        run("pass-through", 2, 1_000_000, Map.of("task settle", 3.0, "the broker (its own process)", 4.0)),
        run("pass-through", 3, 1_000_000, Map.of("the broker (its own process)", 4.0)));
    Map<String, Double> job = BenchSupport.medianPerInput(runs.subList(1, runs.size()), "settlement");
    assertThat(job).containsEntry("task settle-2", 12.0).containsEntry("the broker (its own process)", 5.0);
    // A round whose pass-through had no such thread counts as 0 for it: median of 2, 3 and 0.
    assertThat(BenchSupport.medianPerInput(runs, "pass-through")).containsEntry("task settle", 2.0);

    String table = BenchSupport.cpuTable("settlement", "grants and opens", runs);
    assertThat(table).contains("CPU per input (grants and opens), microseconds, median of the measured rounds");
    assertThat(lineOf(table, "task settle-2")).contains("12.0").contains("0.0").contains("12.0");
    assertThat(lineOf(table, "the broker")).contains("5.0").contains("4.0").contains("1.0");
    assertThat(lineOf(table, "| all")).contains("17.0").contains("6.0").contains("11.0");
  }

  static BenchSupport.Run run(String job, int round, long records, Map<String, Double> cpu) {
    return new BenchSupport.Run(job, round, records, 10.0, "", cpu);
  }

  static String lineOf(String table, String start) {
    return table.lines().filter(l -> l.contains(start)).findFirst().orElseThrow(() -> new AssertionError(start + " in\n" + table));
  }
}
