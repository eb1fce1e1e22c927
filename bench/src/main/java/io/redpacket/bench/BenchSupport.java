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
import java.util.List;
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

  /** Runs {@code body} against a broker of its own in a temporary folder, deleted afterwards. */
  static Integer onOwnBroker(String name, OnBroker body) throws Exception {
    Path dir = Files.createTempDirectory("redpacket-bench" + (name.isEmpty() ? "" : "-" + name));
    try (LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"), false)) {
      return body.run(dir, kafka.bootstrapServers());
    } finally {
      LocalKafka.deleteRecursively(dir);
    }
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

  /** One job's run in a round: its input records and the seconds from its first to its last output. */
  record Run(String job, int round, long records, double seconds, String outputs) implements Timed {
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
    List<Double> ratios = ratios(runs, rounds.rounds, job);
    List<Double> sorted = new ArrayList<>(ratios);
    sorted.sort(Double::compare);
    int n = sorted.size();
    double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    Path chart = rounds.chartPath(job);
    Charts.rates(chart, job, unit, runs);
    System.out.printf("chart of each round's rates written to %s%n", chart.toAbsolutePath());
    System.out.printf("%s / pass-through, per measured round: %s%n", job, twoDecimals(ratios));
    System.out.printf("ratio %s/pass-through median %.2f%n", job, median);
    return median;
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
