package io.redpacket.bench;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.PoolStatus;
import io.redpacket.avro.SplitMode;
import io.redpacket.cluster.Checks;
import io.redpacket.cluster.IngestReady;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Keys;
import io.redpacket.core.Table;
import io.redpacket.core.Tokens;
import io.redpacket.ingest.IngestConfig;
import io.redpacket.ingest.IngestServer;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "The ingest in one run on this machine: (a) a bare endpoint of the same HTTP library, (b) the"
        + " fast-reject path, (c) the admitted path to Kafka, and their ratios; (d) offered load of 20 times the"
        + " admission budget: what is forwarded, and whether every request is answered.")
public final class IngestBench implements Callable<Integer> {
  static final String SECRET = "bench-secret-0123456789";

  @Option(names = "--seconds", defaultValue = "10", description = "measured seconds per case and round, after 2 s of warm-up (default: ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--rounds", defaultValue = "3", description = "measured rounds of (a), (b) and (c), in alternating order,"
      + " after one warm-up round; the ratios are their medians (default: ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--connections", defaultValue = "256", description = "concurrent keep-alive connections (default: ${DEFAULT-VALUE})")
  int connections;

  @Option(names = "--budget", defaultValue = "500", description = "admission budget for case (d), shakes/s (default: ${DEFAULT-VALUE})")
  int budget;

  @Option(names = "--event-loops", description = "event loops of the ingest and of the bare endpoint alike"
      + " (default: the number of cores, here ${DEFAULT-VALUE})")
  int eventLoops = IngestConfig.cores();

  record Result(String name, long requests, long errors, double seconds, Recorder latency, long forwarded) {
    double rate() {
      return requests / seconds;
    }
  }

  /** The median over rounds of each round's ratio of {@code top} to {@code bottom}. */
  static double median(Result[] top, Result[] bottom) {
    double[] ratios = new double[top.length];
    for (int i = 0; i < top.length; i++) {
      ratios[i] = top[i].rate() / bottom[i].rate();
    }
    Arrays.sort(ratios);
    int n = ratios.length;
    return n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
  }

  /** The round of the median rate (the lower middle one for an even count). */
  static Result medianRound(Result[] rounds) {
    Result[] sorted = rounds.clone();
    Arrays.sort(sorted, Comparator.comparingDouble(Result::rate));
    return sorted[(sorted.length - 1) / 2];
  }

  @Override
  public Integer call() throws Exception {
    Checks.range("--seconds", seconds, 1, 600);
    Checks.range("--rounds", rounds, 1, 20);
    Checks.range("--connections", connections, 1, 1024);
    Checks.range("--budget", budget, 1, 1_000_000);
    Checks.range("--event-loops", eventLoops, 1, 256);
    return BenchSupport.onOwnBroker("ingest", (dir, bootstrap) -> run(bootstrap));
  }

  private Integer run(String bootstrap) throws Exception {
    Vertx vertx = Vertx.vertx();
    Vertx bareVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
    try {
      TopicAdmin.ensure(bootstrap, Topics.ALL, Topics.COMPACTED, 8);
      long now = System.currentTimeMillis();
      PoolDefinition open = pool("open", now);
      PoolDefinition spent = pool("spent", now);
      PoolWriter.create(bootstrap, Topics.POOLS, open);
      PoolWriter.create(bootstrap, Topics.POOLS, spent);
      try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(ProducerSettings.reliable(bootstrap))) {
        for (int set = 0; set < spent.getSets(); set++) { // as the allocation job publishes an emptied set
          PoolStatus s = new PoolStatus("spent", set, spent.getSets(), 0L, 0L, 2000L, 20_000L, true, now);
          p.send(new ProducerRecord<>(Topics.POOL_STATUS, Keys.set("spent", set).getBytes(StandardCharsets.UTF_8),
              Codecs.POOL_STATUS.encode(s)));
        }
      }
      Tokens tokens = new Tokens(SECRET);
      String[] auth = new String[10_000];
      for (int i = 0; i < auth.length; i++) {
        auth[i] = "Bearer " + tokens.mint("u" + i, now + 3_600_000);
      }

      // Its own Vert.x instance, as the ingest has (the server must not share the clients' event loop), and as
      // many servers on one port as the ingest has event loops: like is compared with like.
      int barePort = bare(bareVertx);
      IngestConfig fast = new IngestConfig(0, bootstrap, "", SECRET, "admin-bench-0123", Duration.ofMillis(1), 1_000_000,
          1_000_000, 1_000_000, 4096, IngestConfig.LOOPBACK, eventLoops);
      Result[] a = new Result[rounds];
      Result[] b = new Result[rounds];
      Result[] c = new Result[rounds];
      Table byRound = new Table("round", "order", "(a) bare req/s", "(b) fast reject req/s", "(c) admitted req/s",
          "fast-reject/bare", "admitted/bare");
      try (IngestServer admitting = IngestServer.start(fast)) {
        IngestReady.await(admitting.port());
        Thread.sleep(1000); // let the pool view read the status of the spent pool
        // A whole round unmeasured first: every path, the Kafka client's and the broker's included, is compiled by
        // the JIT before any figure is taken (in a single cold round the compilers took a third of a core in (c)).
        System.out.printf("warm-up round (not measured): (a), (b), (c), %d s each ...%n", seconds + 2);
        load(vertx, "warm-up", barePort, "/", auth, "open", null);
        load(vertx, "warm-up", admitting.port(), "/v1/shakes", auth, "spent", null);
        load(vertx, "warm-up", admitting.port(), "/v1/shakes", auth, "open", null);
        for (int round = 0; round < rounds; round++) {
          // Alternating order, so that no case always runs first or last (a broker still writing out the last
          // case's records, say).
          boolean forward = round % 2 == 0;
          System.out.printf("round %d of %d: %s ...%n", round + 1, rounds, forward ? "(a), (b), (c)" : "(c), (b), (a)");
          if (!forward) {
            c[round] = load(vertx, "(c) admitted: acked by Kafka, 202", admitting.port(), "/v1/shakes", auth, "open", bootstrap);
          } else {
            a[round] = load(vertx, "(a) bare Vert.x endpoint", barePort, "/", auth, "open", null);
          }
          b[round] = load(vertx, "(b) fast reject: pool exhausted", admitting.port(), "/v1/shakes", auth, "spent", null);
          if (!forward) {
            a[round] = load(vertx, "(a) bare Vert.x endpoint", barePort, "/", auth, "open", null);
          } else {
            c[round] = load(vertx, "(c) admitted: acked by Kafka, 202", admitting.port(), "/v1/shakes", auth, "open", bootstrap);
          }
          byRound.row(round + 1, forward ? "a b c" : "c b a", String.format("%,.0f", a[round].rate()),
              String.format("%,.0f", b[round].rate()), String.format("%,.0f", c[round].rate()),
              String.format("%.2f", b[round].rate() / a[round].rate()),
              String.format("%.2f", c[round].rate() / a[round].rate()));
        }
      }
      Result d;
      IngestConfig limited = new IngestConfig(0, bootstrap, "", SECRET, "admin-bench-0123", Duration.ofMillis(1), budget,
          1_000_000, 1_000_000, 4096, IngestConfig.LOOPBACK, eventLoops);
      try (IngestServer server = IngestServer.start(limited)) {
        IngestReady.await(server.port());
        System.out.printf("(d) overload: as much as the clients can offer against a budget of %,d/s ...%n", budget);
        d = load(vertx, "(d) overload vs budget " + budget + "/s", server.port(), "/v1/shakes", auth, "open", bootstrap);
      }
      System.out.println("each round, " + seconds + " s per case:");
      System.out.print(byRound.render());
      // The median round of each case, and the medians of the rounds' own ratios (each ratio's two cases ran
      // within seconds of each other, on the same machine load).
      double fastRatio = median(b, a);
      double admittedRatio = median(c, a);
      Result ma = medianRound(a);
      Table t = new Table("case (median round)", "requests/s", "p50 ms", "p99 ms", "p99.9 ms", "errors", "ratio to (a)",
          "forwarded/s");
      for (Result r : new Result[] {ma, medianRound(b), medianRound(c), d}) {
        var h = r.latency().getIntervalHistogram();
        t.row(r.name(), String.format("%,.0f", r.rate()), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
            ms(h.getValueAtPercentile(99.9)), r.errors(), String.format("%.2f", r.rate() / ma.rate()),
            r.forwarded() < 0 ? "-" : String.format("%,.0f", r.forwarded() / (r.seconds() + 2.0)));
      }
      System.out.print(t.render());
      double offered = d.rate();
      System.out.printf("ingest and bare endpoint on %d event loop(s) each, %d connections; (d) offered %,.0f/s = %.1f x"
              + " the budget, forwarded %,.0f/s (budget %,d/s), every request answered: %s%n", eventLoops, connections,
          offered, offered / budget, d.forwarded() / (d.seconds() + 2.0), budget, d.errors() == 0 ? "yes" : "NO (" + d.errors() + " errors)");
      System.out.printf("load average (1 min) at the end: %.2f on %d cores%n",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), IngestConfig.cores());
      System.out.println("aims: fast-reject/bare >= 0.9, admitted/bare >= 0.5 (medians of " + rounds + " rounds)");
      System.out.printf("ratio fast-reject/bare %.2f%n", fastRatio);
      System.out.printf("ratio admitted/bare %.2f%n", admittedRatio);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      bareVertx.close().await(10, TimeUnit.SECONDS);
    }
    return 0;
  }

  /** The bare endpoint: one server per event loop on one port; returns the port. */
  private int bare(Vertx bareVertx) throws Exception {
    AtomicInteger port = new AtomicInteger();
    bareVertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        // -1: a free port, shared by every server given -1 (Vert.x's convention).
        return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> req.response()
            .putHeader("Content-Type", "application/json").end("{\"outcome\":\"NOT_LUCKY\"}")))
            .listen(-1, IngestConfig.LOOPBACK).onSuccess(s -> port.compareAndSet(0, s.actualPort()));
      }
    }, new DeploymentOptions().setInstances(eventLoops)).await(10, TimeUnit.SECONDS);
    return port.get();
  }

  static PoolDefinition pool(String id, long now) {
    return PoolDefinition.newBuilder().setPoolId(id).setSponsor("bench").setTotalCents(100_000_000L).setTotalCount(100_000)
        .setSets(50).setMinCents(1).setMaxCents(20_000).setStartMillis(now - 1000).setEndMillis(now + 3_600_000)
        .setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false).setCreatedMillis(now).build();
  }

  static String ms(long nanos) {
    return String.format("%.2f", nanos / 1e6);
  }

  /** Keeps {@code connections} requests in flight for warm-up plus {@code seconds}; records the measured part. */
  private Result load(Vertx vertx, String name, int port, String path, String[] auth, String poolId, String bootstrap)
      throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(20),
        new PoolOptions().setHttp1MaxSize(connections));
    Recorder latency = new Recorder(3);
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong seq = new AtomicLong();
    long start = System.nanoTime();
    long measureFrom = start + 2_000_000_000L;
    long end = measureFrom + seconds * 1_000_000_000L;
    long shakesBefore = bootstrap == null ? 0 : count(bootstrap);
    CountDownLatch finished = new CountDownLatch(connections);
    for (int i = 0; i < connections; i++) {
      loop(client, port, path, auth, poolId, seq, latency, done, errors, measureFrom, end, finished);
    }
    finished.await(seconds + 60L, TimeUnit.SECONDS);
    client.close().await(10, TimeUnit.SECONDS);
    long forwarded = -1;
    if (bootstrap != null) {
      // Counted over warm-up and measurement alike: the rate is over both.
      forwarded = count(bootstrap) - shakesBefore;
    }
    return new Result(name, done.get(), errors.get(), seconds, latency, forwarded);
  }

  private static long count(String bootstrap) {
    return TopicReader.forEach(bootstrap, Topics.SHAKES, false, r -> {});
  }

  private void loop(HttpClient client, int port, String path, String[] auth, String poolId, AtomicLong seq,
      Recorder latency, AtomicLong done, AtomicLong errors, long measureFrom, long end, CountDownLatch finished) {
    long t0 = System.nanoTime();
    if (t0 >= end) {
      finished.countDown();
      return;
    }
    long n = seq.incrementAndGet();
    Buffer body = Buffer.buffer("{\"shakeId\":\"b" + n + "\",\"poolId\":\"" + poolId + "\"}");
    Future<Integer> status = client.request(HttpMethod.POST, port, "127.0.0.1", path)
        .compose(req -> req.putHeader("Authorization", auth[(int) (n % auth.length)])
            .putHeader("Content-Type", "application/json").send(body))
        .compose(resp -> resp.body().map(b -> resp.statusCode()));
    status.onComplete(r -> {
      long t1 = System.nanoTime();
      if (t0 >= measureFrom) {
        latency.recordValue(t1 - t0);
        done.incrementAndGet();
        if (r.failed() || r.result() >= 500) {
          errors.incrementAndGet();
        }
      }
      loop(client, port, path, auth, poolId, seq, latency, done, errors, measureFrom, end, finished);
    });
  }
}
