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
 * while it runs (every 100 ms; what a thread used in its last 100 ms is missed).
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
  /** Per thread id: its name, and its CPU time (ns) when first seen and when last seen. */
  private final Map<Long, String> names = new HashMap<>();
  private final Map<Long, Long> first = new HashMap<>();
  private final Map<Long, Long> last = new HashMap<>();
  private final long processStart;
  private final long brokerStart;
  private final Thread poller;
  private volatile boolean stop;

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
      if (!names.containsKey(id)) {
        var info = threads.getThreadInfo(id);
        if (info == null) {
          continue;
        }
        names.put(id, info.getThreadName());
        first.put(id, atStart ? ns : 0L); // a thread started since: all its time counts
      }
      last.put(id, ns);
    }
  }

  private long brokerCpu() {
    return broker.flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(-1L);
  }

  /** Stops counting: CPU seconds by what used them, the largest first; none where the JVM cannot tell them. */
  Map<String, Double> stop() throws InterruptedException {
    stop = true;
    poller.interrupt();
    poller.join();
    if (!supported()) {
      return Map.of();
    }
    poll(false);
    long process = os.getProcessCpuTime() - processStart;
    Map<String, Long> ns = new HashMap<>();
    long named = 0;
    synchronized (this) {
      for (var e : last.entrySet()) {
        if (e.getKey() == poller.getId()) {
          continue;
        }
        long used = e.getValue() - first.get(e.getKey());
        ns.merge(group(names.get(e.getKey())), used, Long::sum);
        named += used;
      }
    }
    ns.put(REST_OF_JVM, Math.max(0, process - named));
    long brokerEnd = brokerCpu();
    if (brokerStart >= 0 && brokerEnd >= 0) {
      ns.put(BROKER, brokerEnd - brokerStart);
    }
    Map<String, Double> seconds = new LinkedHashMap<>();
    ns.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> seconds.put(e.getKey(), e.getValue() / 1e9));
    return seconds;
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
