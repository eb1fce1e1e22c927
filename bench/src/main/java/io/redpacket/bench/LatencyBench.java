package io.redpacket.bench;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.cluster.Checks;
import io.redpacket.cluster.IngestReady;
import io.redpacket.codec.Topics;
import io.redpacket.core.Table;
import io.redpacket.core.Tokens;
import io.redpacket.ingest.IngestConfig;
import io.redpacket.ingest.IngestServer;
import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.jobs.allocation.AllocationSettings;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.kafka.TopicAdmin;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "latency", mixinStandardHelpOptions = true,
    description = "Shake to outcome over HTTP through the real allocation job, open loop: starts a broker, the"
        + " allocation job (RocksDB, exactly-once, on a MiniCluster) and the ingest; finds the saturating rate of"
        + " forwarded shakes (many connections, each sending as soon as answered); then offers shakes at a constant"
        + " rate of 10%%, 25%%, 50%% and 75%% of it and prints p50, p99 and p99.9 of each step, measured from when each"
        + " shake was due to be sent (corrected for coordinated omission); draws them in a chart.")
public final class LatencyBench implements Callable<Integer> {
  static final String SECRET = "latency-secret-0123456789";
  static final double[] STEPS = {0.10, 0.25, 0.50, 0.75};

  @Option(names = "--seconds", defaultValue = "10", description = "measured seconds of each step and of the saturation run, at least 10 (default: ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--connections", defaultValue = "256", description = "connections of the saturation run; the steps open as many as they need, up to this (default: ${DEFAULT-VALUE})")
  int connections;

  @Option(names = "--event-loops", description = "the ingest's event loops (default: the number of cores, here ${DEFAULT-VALUE})")
  int eventLoops = IngestConfig.cores();

  @Option(names = "--parallelism", defaultValue = "2", description = "parallelism of the allocation job (default: ${DEFAULT-VALUE})")
  int parallelism;

  @Option(names = "--partitions", defaultValue = "4", description = "partitions of each topic (default: ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--users", defaultValue = "200000", description = "distinct users sending shakes, one packet each at most (default: ${DEFAULT-VALUE})")
  int users;

  @Option(names = "--chart", description = "where to write the chart, a PNG (default: .redpacket/bench/latency.png under the project's folder)")
  Path chart;

  /** One step's figures: answers by the job, their latency from the intended send time, anything else. */
  record Step(String name, double offered, double answeredPerSecond, Histogram latency, long byJob, long other, long errors) {}

  @Override
  public Integer call() throws Exception {
    Checks.range("--seconds", seconds, 10, 600);
    Checks.range("--connections", connections, 1, 4096);
    Checks.range("--event-loops", eventLoops, 1, 256);
    Checks.range("--parallelism", parallelism, 1, 16);
    Checks.range("--partitions", partitions, 1, 64);
    Checks.range("--users", users, 1000, 10_000_000);
    return BenchSupport.onOwnBroker("latency", this::run);
  }

  private Integer run(Path dir, String bootstrap) throws Exception {
    TopicAdmin.ensure(bootstrap, Topics.ALL, Topics.COMPACTED, partitions);
    long now = System.currentTimeMillis();
    // Far more packets than the run can win, and one per user: no set empties, so every shake goes to the job.
    PoolDefinition pool = PoolDefinition.newBuilder().setPoolId("latency").setSponsor("bench")
        .setTotalCents(10_000_000_000L).setTotalCount(5_000_000).setSets(50).setMinCents(1).setMaxCents(20_000)
        .setStartMillis(now - 1000).setEndMillis(now + 3_600_000).setSplitMode(SplitMode.LUCKY).setPerUserLimit(1)
        .setPacing(false).setCreatedMillis(now).build();
    PoolWriter.create(bootstrap, Topics.POOLS, pool);
    Tokens tokens = new Tokens(SECRET);
    String[] auth = new String[users];
    for (int i = 0; i < auth.length; i++) {
      auth[i] = "Bearer " + tokens.mint("u" + i, now + 3_600_000);
    }
    System.out.printf("load average (1 min) at the start: %.2f on %d cores%n",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), IngestConfig.cores());
    System.out.printf("starting the allocation job (parallelism %d, RocksDB, exactly-once) ...%n", parallelism);
    StreamExecutionEnvironment env = BenchSupport.localEnv(dir.resolve("flink"), parallelism);
    AllocationJob.define(env, KafkaIo.source(bootstrap, Topics.POOLS, "latency-pools", false),
        KafkaIo.source(bootstrap, Topics.SHAKES, "latency", false), AllocationJob.kafkaSinks(bootstrap, "", "latency"),
        AllocationSettings.defaults(), UnaryOperator.identity());
    JobClient job = env.executeAsync("bench latency: allocation");
    Vertx clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    // Outcomes waited for 30 s: a 202 would hide the latency; it is counted as "other" if it happens.
    IngestConfig config = new IngestConfig(0, bootstrap, "", SECRET, "latency-admin-0123", Duration.ofSeconds(30),
        1_000_000, 1_000_000, 1_000_000, 4096, IngestConfig.LOOPBACK, eventLoops);
    try (IngestServer ingest = IngestServer.start(config)) {
      IngestReady.await(ingest.port());
      System.out.printf("ingest on %s, %d event loop(s); waiting for the job's first outcome ...%n", ingest.address(),
          eventLoops);
      Sender sender = new Sender(clients, ingest.port(), auth);
      awaitFirstOutcome(sender);
      System.out.println("warming up (5 s, not measured) ...");
      sender.closedLoop(connections, 5);
      System.out.printf("saturation: %d connections, each sending as soon as answered, %d s ...%n", connections, seconds);
      Step saturation = sender.closedLoop(connections, seconds);
      double saturating = saturation.answeredPerSecond();
      System.out.printf("saturating rate: %,.0f shakes/s answered by the job (p50 %s ms, p99 %s ms)%n", saturating,
          ms(saturation.latency().getValueAtPercentile(50)), ms(saturation.latency().getValueAtPercentile(99)));
      if (saturating < 10) {
        System.err.println("the job answered almost nothing: see the log");
        return 1;
      }
      List<Step> steps = new ArrayList<>();
      for (double f : STEPS) {
        double rate = f * saturating;
        System.out.printf("step %.0f%%: %,.0f shakes/s at a constant rate for %d s ...%n", 100 * f, rate, seconds);
        steps.add(sender.openLoop(String.format("%.0f%%", 100 * f), rate, seconds));
      }
      print(saturation, steps);
      System.out.printf("load average (1 min) at the end: %.2f on %d cores%n",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), IngestConfig.cores());
      Path png = chart != null ? chart : Path.of(System.getProperty("redpacket.home", "."), ".redpacket", "bench", "latency.png");
      Charts.latency(png, steps);
      System.out.printf("chart written to %s%n", png.toAbsolutePath());
      Step half = steps.get(2);
      System.out.printf("latency p99 at half saturation %s ms%n", ms(half.latency().getValueAtPercentile(99)));
    } finally {
      clients.close().await(10, TimeUnit.SECONDS);
      job.cancel().get(30, TimeUnit.SECONDS);
    }
    return 0;
  }

  private void print(Step saturation, List<Step> steps) {
    Table t = new Table("step", "offered/s", "answered by the job/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
        "not by the job", "errors");
    List<Step> all = new ArrayList<>(steps);
    all.add(saturation);
    for (Step s : all) {
      Histogram h = s.latency();
      t.row(s.name(), s.offered() < 0 ? "closed loop" : String.format("%,.0f", s.offered()),
          String.format("%,.0f", s.answeredPerSecond()), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
          ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), s.other(), s.errors());
    }
    System.out.print(t.render());
    System.out.println("Latency: from when a shake was due to be sent (constant-rate schedule) to its HTTP answer with"
        + " the job's outcome, so a late sender or a queue in the client counts against it. Saturation: closed loop,"
        + " from the send. Not by the job: answered at the edge (under load the ingest samples shakes harder), or 202.");
  }

  private static void awaitFirstOutcome(Sender sender) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      if (sender.one()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("no outcome from the allocation job within 120 s");
  }

  static String ms(long nanos) {
    return String.format("%.1f", nanos / 1e6);
  }

  /** Sends shakes over HTTP: fresh shake ids, users in turn; classifies and times the answers. */
  private final class Sender {
    private final Vertx vertx;
    private final int port;
    private final String[] auth;
    private final HttpClient client;
    private final AtomicLong seq = new AtomicLong();

    Sender(Vertx vertx, int port, String[] auth) {
      this.vertx = vertx;
      this.port = port;
      this.auth = auth;
      this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(20),
          new PoolOptions().setHttp1MaxSize(connections));
    }

    /** What one shake's answer was: 0 by the job, 1 something else (edge, 202), 2 an error. */
    private Future<Integer> shake() {
      long n = seq.incrementAndGet();
      Buffer body = Buffer.buffer("{\"shakeId\":\"l" + n + "\",\"poolId\":\"latency\"}");
      return client.request(HttpMethod.POST, port, "127.0.0.1", "/v1/shakes")
          .compose(req -> req.putHeader("Authorization", auth[(int) (n % auth.length)])
              .putHeader("Content-Type", "application/json").send(body))
          .compose(resp -> resp.body().map(b -> resp.statusCode() == 200
              && b.toString().contains("\"answeredBy\":\"backend\"") ? 0 : resp.statusCode() >= 500 ? 2 : 1))
          .recover(e -> Future.succeededFuture(2));
    }

    boolean one() throws InterruptedException {
      CountDownLatch done = new CountDownLatch(1);
      int[] kind = {2};
      vertx.runOnContext(v -> shake().onComplete(r -> {
        kind[0] = r.result();
        done.countDown();
      }));
      done.await(40, TimeUnit.SECONDS);
      return kind[0] == 0;
    }

    /** {@code conns} requests always in flight for {@code secs}: the most the stack answers. */
    Step closedLoop(int conns, int secs) throws InterruptedException {
      Recorder latency = new Recorder(3);
      long[] counts = new long[3];
      long end = System.nanoTime() + secs * 1_000_000_000L;
      CountDownLatch finished = new CountDownLatch(conns);
      Progress progress = new Progress("closed loop", secs, counts, latency);
      vertx.runOnContext(v -> {
        for (int i = 0; i < conns; i++) {
          loop(latency, counts, end, finished);
        }
      });
      finished.await(secs + 120L, TimeUnit.SECONDS);
      progress.stop();
      return step("saturation", -1, secs, latency, counts);
    }

    private void loop(Recorder latency, long[] counts, long end, CountDownLatch finished) {
      long t0 = System.nanoTime();
      if (t0 >= end) {
        finished.countDown();
        return;
      }
      shake().onComplete(r -> {
        latency.recordValue(System.nanoTime() - t0);
        counts[r.result()]++; // on the client's one event loop
        loop(latency, counts, end, finished);
      });
    }

    /**
     * Shakes due at a constant rate, each timed from when it was due: a 1 ms timer sends every shake
     * whose time has come, so a stalled sender or a full connection pool counts as latency.
     */
    Step openLoop(String name, double rate, int secs) throws InterruptedException {
      Recorder latency = new Recorder(3);
      long[] counts = new long[3];
      long total = Math.max(1, Math.round(rate * secs));
      double interval = 1e9 / rate;
      long start = System.nanoTime();
      long[] sent = {0};
      long[] answered = {0};
      CountDownLatch finished = new CountDownLatch(1);
      Progress progress = new Progress(name, secs, counts, latency);
      vertx.runOnContext(v -> vertx.setPeriodic(1, id -> {
        long now = System.nanoTime();
        while (sent[0] < total) {
          long due = start + (long) (sent[0] * interval);
          if (due > now) {
            break;
          }
          sent[0]++;
          shake().onComplete(r -> {
            latency.recordValue(Math.max(0, System.nanoTime() - due));
            counts[r.result()]++;
            if (++answered[0] == total) {
              finished.countDown();
            }
          });
        }
        if (sent[0] == total) {
          vertx.cancelTimer(id);
        }
      }));
      finished.await(secs + 120L, TimeUnit.SECONDS);
      progress.stop();
      return step(name, rate, secs, latency, counts);
    }

    private Step step(String name, double offered, int secs, Recorder latency, long[] counts) {
      Histogram h = latency.getIntervalHistogram();
      return new Step(name, offered, counts[0] / (double) secs, h, counts[0], counts[1], counts[2]);
    }
  }

  /** A line a second while a step runs: answers so far and their p99 over the last second. */
  private static final class Progress {
    private final Thread thread;
    private volatile boolean stop;

    Progress(String name, int secs, long[] counts, Recorder latency) {
      Histogram seen = new Histogram(3);
      thread = new Thread(() -> {
        long t0 = System.nanoTime();
        long before = 0;
        for (int s = 1; !stop; s++) {
          try {
            Thread.sleep(Math.max(0, t0 + s * 1_000_000_000L - System.nanoTime()) / 1_000_000);
          } catch (InterruptedException e) {
            return;
          }
          if (stop) {
            return;
          }
          // The counts are written on the client's event loop; a progress line may be a little behind.
          long byJob = counts[0];
          System.out.printf("    [%s %s] answered by the job %,d/s, not by it %,d, errors %,d%n", name,
              s <= secs ? String.format("%2d/%d s", s, secs) : "waiting for the last answers", byJob - before, counts[1],
              counts[2]);
          before = byJob;
        }
      }, "latency-progress");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      stop = true;
      thread.interrupt();
      thread.join(2000);
    }
  }
}
