package io.redpacket.bench;

import io.redpacket.cluster.Checks;
import io.redpacket.cluster.LocalFlink;
import io.redpacket.core.Table;
import io.redpacket.kafka.TopicReader;
import io.redpacket.stack.LocalKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Option;

/** What the benchmarks share: a broker of their own, MiniClusters with the stack's settings, the clock on the output. */
final class BenchSupport {
  private BenchSupport() {}

  /** A benchmark's body, given its temporary folder and its broker's bootstrap servers. */
  interface OnBroker {
    Integer run(Path dir, String bootstrap) throws Exception;
  }

  /** The running bench's broker process, for its CPU time ({@link ThreadCpu}); a bench runs one at a time. */
  private static volatile Optional<ProcessHandle> broker = Optional.empty();

  /** Runs {@code body} against a broker of its own in a temporary folder, deleted afterwards. */
  static Integer onOwnBroker(String name, OnBroker body) throws Exception {
    Path dir = Files.createTempDirectory("redpacket-bench" + (name.isEmpty() ? "" : "-" + name));
    try (LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"), false)) {
      broker = kafka.processHandle();
      return body.run(dir, kafka.bootstrapServers());
    } finally {
      broker = Optional.empty();
      LocalKafka.deleteRecursively(dir);
    }
  }

  /** Starts counting the CPU of a job's run, by thread (see {@link ThreadCpu}). */
  static ThreadCpu cpu() {
    return ThreadCpu.start(broker);
  }

  /** The rounds and parallelism of a job-against-pass-through benchmark (a mixin; its defaults are per benchmark). */
  static final class Rounds {
    @Option(names = "--rounds", description = "measured rounds; each runs both jobs, alternating order (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--warmup", description = "warm-up rounds run first and discarded (default: ${DEFAULT-VALUE})")
    int warmup = 1;

    @Option(names = "--parallelism", description = "parallelism of the jobs (default: ${DEFAULT-VALUE})")
    int parallelism = 2;

    @Option(names = "--chart", description = "where to write the chart of each round's rates, a PNG"
        + " (default: .redpacket/bench/<bench>.png under the project's folder)")
    Path chart;

    Rounds(int rounds) {
      this.rounds = rounds;
    }

    void check() {
      Checks.range("--rounds", rounds, 1, 10);
      Checks.range("--warmup", warmup, 0, 3);
      Checks.range("--parallelism", parallelism, 1, 16);
    }

    /** Round numbers to run: the warm-up rounds are numbered 0 and below, the measured ones from 1. */
    List<Integer> all() {
      List<Integer> all = new ArrayList<>();
      for (int r = 1 - warmup; r <= rounds; r++) {
        all.add(r);
      }
      return all;
    }

    /** The two jobs of a round, pass-through first in odd rounds: a drifting machine favours neither. */
    List<String> order(int round, String job) {
      return Math.floorMod(round, 2) == 1 ? List.of("pass-through", job) : List.of(job, "pass-through");
    }

    Path chartPath(String bench) {
      if (chart != null) {
        return chart;
      }
      return Path.of(System.getProperty("redpacket.home", "."), ".redpacket", "bench", bench + ".png");
    }
  }

  /**
   * One job's run in a round: its input records, the seconds from its first to its last output, and the CPU seconds
   * used over those seconds by what used them ({@link ThreadCpu#between}).
   */
  record Run(String job, int round, long records, double seconds, String outputs, Map<String, Double> cpu)
      implements Timed {
    double perSecond() {
      return records / seconds;
    }
  }

  /**
   * Prints the table of rounds (warm-up marked), the per-round ratios and, last, the one line scripts read:
   * {@code ratio <job>/pass-through median 0.83}; writes the chart of each round's rates.
   */
  static double report(String job, String unit, List<Run> runs, Rounds rounds) throws java.io.IOException {
    Table t = new Table("round", "job", unit, "first to last output, s", unit + "/s", "outputs");
    for (Run r : runs) {
      t.row(r.round() < 1 ? "warm-up (discarded)" : String.valueOf(r.round()), r.job(), String.format("%,d", r.records()),
          String.format("%.1f", r.seconds()), String.format("%,.0f", r.perSecond()), r.outputs());
    }
    System.out.print(t.render());
    if (runs.stream().anyMatch(r -> !r.cpu().isEmpty())) {
      System.out.print(cpuTable(job, unit, runs));
    }
    List<Double> ratios = ratios(runs, rounds.rounds, job);
    double median = median(ratios);
    Path chart = rounds.chartPath(job);
    Charts.rates(chart, job, unit, runs);
    System.out.printf("chart of each round's rates written to %s%n", chart.toAbsolutePath());
    System.out.printf("%s / pass-through, per measured round: %s%n", job, twoDecimals(ratios));
    System.out.printf("ratio %s/pass-through median %.2f%n", job, median);
    return median;
  }

  /** How many rows of CPU users the table shows; the others are summed in one. */
  static final int CPU_ROWS = 12;

  /**
   * The table of CPU per input by what used it, job against pass-through (each the median of its measured rounds):
   * on a machine whose cores are all busy, where the job's extra time per input goes. Printed before the ratio lines.
   */
  static String cpuTable(String job, String unit, List<Run> runs) {
    List<Run> measured = runs.stream().filter(r -> r.round() >= 1).toList();
    Map<String, Double> ofJob = medianPerInput(measured, job);
    Map<String, Double> ofPass = medianPerInput(measured, "pass-through");
    List<String> users = new ArrayList<>(ofJob.keySet());
    ofPass.keySet().stream().filter(k -> !ofJob.containsKey(k)).forEach(users::add);
    users.sort(Comparator.comparingDouble((String k) -> Math.max(ofJob.getOrDefault(k, 0.0), ofPass.getOrDefault(k, 0.0)))
        .reversed());
    Table t = new Table("CPU per input (" + unit + "), microseconds, median of the measured rounds", job,
        "pass-through", "job minus pass-through");
    double[] rest = new double[2];
    for (int i = 0; i < users.size(); i++) {
      double j = ofJob.getOrDefault(users.get(i), 0.0);
      double p = ofPass.getOrDefault(users.get(i), 0.0);
      if (i < CPU_ROWS) {
        t.row(users.get(i), micros(j), micros(p), micros(j - p));
      } else {
        rest[0] += j;
        rest[1] += p;
      }
    }
    if (users.size() > CPU_ROWS) {
      t.row("the others", micros(rest[0]), micros(rest[1]), micros(rest[0] - rest[1]));
    }
    double allJob = ofJob.values().stream().mapToDouble(Double::doubleValue).sum();
    double allPass = ofPass.values().stream().mapToDouble(Double::doubleValue).sum();
    t.row("all", micros(allJob), micros(allPass), micros(allJob - allPass));
    return t.render();
  }

  /** Per CPU user, the median over {@code job}'s runs of its CPU seconds per input, in microseconds. */
  static Map<String, Double> medianPerInput(List<Run> runs, String job) {
    List<Run> of = runs.stream().filter(r -> r.job().equals(job)).toList();
    Map<String, List<Double>> values = new HashMap<>();
    for (Run r : of) {
      r.cpu().forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v * 1e6 / r.records()));
    }
    Map<String, Double> medians = new HashMap<>();
    values.forEach((k, v) -> {
      while (v.size() < of.size()) {
        v.add(0.0); // a run without this user
      }
      medians.put(k, median(v));
    });
    return medians;
  }

  static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String micros(double x) {
    return String.format(java.util.Locale.ROOT, "%.1f", x);
  }

  /** One job's run in a round, timed from its first to its last output. */
  interface Timed {
    String job();

    int round();

    double seconds();
  }

  /**
   * Per round, the pass-through's time over {@code job}'s on the same input, i.e. the job's speed as a
   * share of the pass-through's: each round runs both back to back, so it is the least exposed to a noisy machine.
   */
  static List<Double> ratios(List<? extends Timed> runs, int rounds, String job) {
    List<Double> ratios = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      ratios.add(seconds(runs, round, "pass-through") / seconds(runs, round, job));
    }
    return ratios;
  }

  private static double seconds(List<? extends Timed> runs, int round, String job) {
    return runs.stream().filter(x -> x.round() == round && x.job().equals(job)).findFirst().orElseThrow().seconds();
  }

  static List<String> twoDecimals(List<Double> xs) {
    return xs.stream().map(x -> String.format("%.2f", x)).toList();
  }

  /**
   * A job on a MiniCluster of its own with the local stack's settings (RocksDB, exactly-once
   * checkpoints every second), without web UI or metrics reporter, as the benchmarks run them.
   */
  static StreamExecutionEnvironment localEnv(Path dataDir, int parallelism) {
    Configuration conf = LocalFlink.configuration(dataDir, 0, parallelism, Duration.ofSeconds(1));
    conf.removeConfig(org.apache.flink.configuration.RestOptions.PORT);
    // -Dredpacket.bench.rest-port=8089: the MiniCluster's REST API on that port, for busy and back-pressured time
    // per task and the checkpoints' durations while a run goes (one run at a time uses it).
    String rest = System.getProperty("redpacket.bench.rest-port");
    if (rest != null) {
      conf.setString("rest.port", rest);
    }
    conf.setString("metrics.reporters", "");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
    env.setParallelism(parallelism);
    return env;
  }

  /** Notes when the first and the last outcome of a run are written (read uncommitted: as produced). */
  static final class OutputClock {
    private final Thread thread;
    private volatile long first;
    private volatile long last;
    private volatile long count;
    private volatile boolean stop;

    OutputClock(String bootstrap, String topic) {
      this(bootstrap, topic, 0);
    }

    /** @param expected outputs expected, for progress lines every 5 s (0: none) */
    OutputClock(String bootstrap, String topic, long expected) {
      thread = new Thread(() -> {
        long nextNote = System.nanoTime() + 5_000_000_000L;
        try (var consumer = TopicReader.consumer(bootstrap, false)) {
          var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
          consumer.assign(partitions);
          consumer.seekToBeginning(partitions);
          while (!stop) {
            int n = consumer.poll(Duration.ofMillis(50)).count();
            if (n > 0) {
              long now = System.nanoTime();
              if (count == 0) {
                first = now;
              }
              last = now;
              count += n;
            }
            if (expected > 0 && System.nanoTime() > nextNote && count > 0) {
              nextNote += 5_000_000_000L;
              double seconds = (last - first) / 1e9;
              // A rate over less than a second of outputs says nothing (the first poll alone gave 264 billion/s).
              System.out.printf("    ... %,d of %,d outputs, %.0f%%, %s so far%n", count, expected, 100.0 * count / expected,
                  seconds < 1 ? "rate not yet measured" : String.format("%,.0f/s", count / seconds));
            }
          }
        }
      }, "output-clock");
      thread.setDaemon(true);
      thread.start();
    }

    /** When the first output was seen (System.nanoTime). */
    long firstNanos() {
      return first;
    }

    /** When the last output so far was seen (System.nanoTime). */
    long lastNanos() {
      return last;
    }

    /** Seconds from the first to the last output, once {@code expected} outputs were seen (bounded wait). */
    double awaitSeconds(long expected) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(600).toNanos();
      while (count < expected && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      stop = true;
      thread.join(5_000);
      if (count < expected) {
        throw new IllegalStateException("saw only " + count + " of " + expected + " outputs");
      }
      return (last - first) / 1e9;
    }
  }
}
