package io.redpacket.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The CPU a run of a job used, by what used it: each task of the job (its chain's first operator), Flink's and
 * Kafka's helper threads, the rest of the JVM (its garbage collector and compilers), and the bench's broker. On a
 * machine whose cores are all busy, a job's rate is set by its CPU per input, and Flink's busy time cannot tell a
 * task working from one waiting for a core: this can. Task threads end with their job, so their CPU time is polled
 * while it runs (every 100 ms; what a thread used in its last 100 ms is missed), and each poll's totals are kept
 * with its time, so that the CPU of the window the rate is measured over (first to last output) can be told apart
 * from the job's start-up and end.
 */
final class ThreadCpu {
  /** The process's CPU less its Java threads': the garbage collector's and the compilers' threads, mostly. */
  static final String REST_OF_JVM = "the JVM's own threads (GC, JIT compilers)";
  static final String BROKER = "the broker (its own process)";

  private static final Pattern SUBTASK = Pattern.compile(" \\(\\d+/\\d+\\)(#\\d+)?$");
  private static final long POLL_MILLIS = 100;

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final Optional<ProcessHandle> broker;
  /** Per thread id: what it counts as (its name grouped once, when first seen), its CPU time (ns) then and last. */
  private final Map<Long, String> groups = new HashMap<>();
  private final Map<Long, Long> first = new HashMap<>();
  private final Map<Long, Long> last = new HashMap<>();
  private final long processStart;
  private final long brokerStart;
  private final Thread poller;
  private volatile boolean stop;
  /** Each poll's time (System.nanoTime) and the CPU nanoseconds used since the start, by what used them. */
  private final java.util.List<Long> polledAt = new java.util.ArrayList<>();
  private final java.util.List<Map<String, Long>> totals = new java.util.ArrayList<>();

  /** Counting from now, without polling: {@link #start} polls; a test may call {@link #poll} itself. */
  ThreadCpu(Optional<ProcessHandle> broker) {
    this.broker = broker;
    processStart = os.getProcessCpuTime();
    brokerStart = brokerCpu();
    poll(true);
    poller = new Thread(() -> {
      while (!stop) {
        try {
          Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
        poll(false);
      }
    }, "thread-cpu");
    poller.setDaemon(true);
  }

  /** Starts counting; {@code broker} is the bench's broker process, if known. */
  static ThreadCpu start(Optional<ProcessHandle> broker) {
    ThreadCpu cpu = new ThreadCpu(broker);
    cpu.poller.start();
    return cpu;
  }

  /** Whether this JVM can tell each thread's CPU time (HotSpot on Linux, macOS and Windows can). */
  static boolean supported() {
    ThreadMXBean t = ManagementFactory.getThreadMXBean();
    return t.isThreadCpuTimeSupported() && t.isThreadCpuTimeEnabled();
  }

  synchronized void poll(boolean atStart) {
    for (long id : threads.getAllThreadIds()) {
      long ns = threads.getThreadCpuTime(id);
      if (ns < 0) {
        continue; // ended between the two calls
      }
      if (!groups.containsKey(id)) {
        var info = threads.getThreadInfo(id);
        if (info == null) {
          continue;
        }
        groups.put(id, group(info.getThreadName()));
        first.put(id, atStart ? ns : 0L); // a thread started since: all its time counts
      }
      last.put(id, ns);
    }
    Map<String, Long> used = new HashMap<>();
    long named = 0;
    for (var e : last.entrySet()) {
      if (poller != null && e.getKey() == poller.getId()) {
        continue;
      }
      long ns = e.getValue() - first.get(e.getKey());
      used.merge(groups.get(e.getKey()), ns, Long::sum);
      named += ns;
    }
    used.put(REST_OF_JVM, Math.max(0, os.getProcessCpuTime() - processStart - named));
    long b = brokerCpu();
    if (brokerStart >= 0 && b >= 0) {
      used.put(BROKER, b - brokerStart);
    }
    polledAt.add(System.nanoTime());
    totals.add(used);
  }

  private long brokerCpu() {
    return broker.flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(-1L);
  }

  /** Stops counting (a last poll now). */
  void stop() throws InterruptedException {
    stop = true;
    poller.interrupt();
    poller.join();
    poll(false);
  }

  /**
   * CPU seconds used between two moments (System.nanoTime; each taken at the last poll before it), by what used
   * them, the largest first; none where the JVM cannot tell each thread's CPU time.
   */
  synchronized Map<String, Double> between(long fromNanos, long toNanos) {
    if (!supported()) {
      return Map.of();
    }
    Map<String, Long> from = totals.get(pollBefore(fromNanos));
    Map<String, Long> to = totals.get(pollBefore(toNanos));
    Map<String, Double> seconds = new LinkedHashMap<>();
    to.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), Math.max(0, e.getValue() - from.getOrDefault(e.getKey(), 0L))))
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> seconds.put(e.getKey(), e.getValue() / 1e9));
    return seconds;
  }

  /** The last poll at or before {@code nanos} (the first poll if none was). */
  private int pollBefore(long nanos) {
    int i = 0;
    while (i + 1 < polledAt.size() && polledAt.get(i + 1) - nanos <= 0) {
      i++;
    }
    return i;
  }

  /**
   * What a thread is counted as: a task by its chain's first operator ({@code settle-2 -> settle-2-sink: Writer ->
   * ... (1/2)#0} is {@code settle-2}), Flink's and Kafka's helpers by their kind, anything else as the rest.
   */
  static String group(String thread) {
    String name = SUBTASK.matcher(thread).replaceFirst("");
    if (name.startsWith("kafka-producer-network-thread")) {
      return "Kafka producers' I/O threads";
    }
    if (name.startsWith("ChangelogBlockingExecutor")) {
      return "state changelog uploads";
    }
    if (name.startsWith("OutputFlusher")) {
      return "Flink's output flushers";
    }
    if (name.startsWith("Source Data Fetcher")) {
      return "Kafka sources' fetchers";
    }
    if (name.equals("output-clock")) {
      return "the bench's reader of the output";
    }
    if (!name.equals(thread)) { // a subtask: a task's thread
      int chain = name.indexOf(" -> ");
      return "task " + (chain < 0 ? name : name.substring(0, chain));
    }
    return "other threads (Flink's, Kafka clients')";
  }
}
