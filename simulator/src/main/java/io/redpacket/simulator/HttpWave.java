package io.redpacket.simulator;

import io.redpacket.avro.Shake;
import io.redpacket.core.ClientPolicy;
import io.redpacket.core.Table;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Recorder;

/**
 * Virtual users shaking through the HTTP ingest, as the clients of the campaign do: each with its
 * own token; {@code 429} and {@code 503} are retried after {@code Retry-After} with jitter;
 * {@code 202} is polled until the outcome arrives; a request that takes too long is counted as
 * timed out and reported. Shake-to-outcome latency goes into an HdrHistogram.
 *
 * <p>The users obey the ingest's {@link ClientPolicy}, the newest seen on any answer: a shake it
 * samples is answered on the phone and never sent; a user's shake sooner than the policy's least
 * interval after their last one sent is not sent either (the app holds the button); after a
 * timeout under {@code on-timeout=wait} the user sends nothing for the busy time. With a gesture
 * rate the users shake at that pace whatever the answers (a crowd does not wait for the service),
 * so what the policy answers on the phone is load the ingest never sees.
 */
public final class HttpWave {
  private static final int MAX_ATTEMPTS = 6;

  /** What the wave saw. */
  public static final class Result {
    /** Shakes the users made; {@link #sent} of them went to the ingest, the rest the client answered itself. */
    public final AtomicLong gestures = new AtomicLong();
    /** When the wave started (nanoTime). */
    public final long startNanos = System.nanoTime();
    public final AtomicLong sent = new AtomicLong();
    /** Shakes the client answered itself: sampled by the policy's share. */
    public final AtomicLong sampledByClient = new AtomicLong();
    /** Shakes the client answered itself: sooner than the policy's least interval (or in a busy time after a timeout). */
    public final AtomicLong tooSoonByClient = new AtomicLong();
    public final AtomicLong answeredAtEdge = new AtomicLong();
    public final AtomicLong answeredByBackend = new AtomicLong();
    public final AtomicLong polled = new AtomicLong();
    public final AtomicLong retriedAfter429 = new AtomicLong();
    public final AtomicLong retriedAfter503 = new AtomicLong();
    public final AtomicLong timedOut = new AtomicLong();
    public final AtomicLong gaveUp = new AtomicLong();
    public final AtomicLong refused4xx = new AtomicLong();
    public final Map<String, AtomicLong> outcomes = new java.util.concurrent.ConcurrentHashMap<>();
    public final Recorder latency = new Recorder(3);
    /** Shake to outcome over the whole wave, for readers while it runs ({@link #latency} is drained by {@link #render}). */
    public final ConcurrentHistogram toOutcome = new ConcurrentHistogram(3);
    /** Once a second: {seconds since the start, gestures, sent, policy level} (counts so far). */
    public final java.util.List<long[]> seconds = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The policy level the users obey now. */
    public volatile int policyLevel;
    public Duration elapsed;

    public long answered() {
      return answeredAtEdge.get() + answeredByBackend.get();
    }

    public long answeredByClient() {
      return sampledByClient.get() + tooSoonByClient.get();
    }

    public String render() {
      var h = latency.getIntervalHistogram();
      Table t = new Table("users' shakes", "answered by client policy", "shakes sent", "answered at the edge", "by the backend", "polled (202)", "429 retried",
          "503 retried", "timed out", "gave up", "4xx", "p50 ms", "p99 ms", "p99.9 ms");
      t.row(String.format("%,d", gestures.get()), String.format("%,d", answeredByClient()),
          String.format("%,d", sent.get()), String.format("%,d", answeredAtEdge.get()),
          String.format("%,d", answeredByBackend.get()), String.format("%,d", polled.get()),
          String.format("%,d", retriedAfter429.get()), String.format("%,d", retriedAfter503.get()),
          String.format("%,d", timedOut.get()), String.format("%,d", gaveUp.get()), String.format("%,d", refused4xx.get()),
          String.format("%.1f", h.getValueAtPercentile(50) / 1e6), String.format("%.1f", h.getValueAtPercentile(99) / 1e6),
          String.format("%.1f", h.getValueAtPercentile(99.9) / 1e6));
      StringBuilder sb = new StringBuilder(t.render());
      Table o = new Table("outcome", "shakes");
      outcomes.forEach((k, v) -> o.row(k, String.format("%,d", v.get())));
      return sb.append(o.render()).toString();
    }
  }

  private final VirtualUsers users;
  /** Each user's last shake sent (nanoTime), or the end of a busy time after a timeout (in the future). */
  private final Pace pace = new Pace(0);
  private final Map<String, Long> lastSent = new java.util.concurrent.ConcurrentHashMap<>();

  public HttpWave(String baseUrl, String tokenSecret, int connections, Duration timeout) {
    this.users = new VirtualUsers(baseUrl, tokenSecret, connections, timeout);
  }


  /** Runs {@code count} shakes from {@code plan} with {@code concurrency} users shaking at once; blocks until done. */
  public Result run(WavePlan plan, long count, int concurrency, Consumer<Result> progress) throws InterruptedException {
    return run(plan, count, concurrency, 0, progress);
  }

  /**
   * Runs {@code count} shakes, at most {@code concurrency} sent at once, the users shaking at
   * {@code gesturesPerSecond} (0: each next shake as soon as the last is answered); blocks until done.
   */
  public Result run(WavePlan plan, long count, int concurrency, long gesturesPerSecond, Consumer<Result> progress)
      throws InterruptedException {
    Result r = new Result();
    long start = System.nanoTime();
    pace.perSecond = gesturesPerSecond;
    AtomicLong left = new AtomicLong(count);
    CountDownLatch done = new CountDownLatch(concurrency);
    Thread reporter = new Thread(() -> {
      while (done.getCount() > 0) {
        try {
          if (done.await(1, TimeUnit.SECONDS)) {
            break;
          }
        } catch (InterruptedException e) {
          return;
        }
        r.policyLevel = users.policy().level();
        r.seconds.add(new long[] {Math.round((System.nanoTime() - start) / 1e9), r.gestures.get(), r.sent.get(),
            r.policyLevel});
        progress.accept(r);
      }
    }, "http-wave-progress");
    reporter.setDaemon(true);
    reporter.start();
    for (int i = 0; i < concurrency; i++) {
      users.nextLoop().runOnContext(v -> next(plan, pace, left, r, done));
    }
    done.await();
    r.elapsed = Duration.ofNanos(System.nanoTime() - start);
    return r;
  }

  /** When the users' next shake is due, at a pace that may change while the wave runs. */
  private static final class Pace {
    /** A user takes a turn at most this far ahead; one whose turn is further off looks again this much later. */
    static final long AHEAD_MS = 100;
    private volatile long perSecond;
    private long due;

    Pace(long perSecond) {
      this.perSecond = perSecond;
    }

    /**
     * Takes the next turn if it comes within {@link #AHEAD_MS} and says how long until it (0 without a pace);
     * -1 if it is further off, and then the user asks again {@link #AHEAD_MS} later. Turns are not booked far
     * ahead: at 1 shake a second, 256 users each booking the next free second would still trickle out for
     * minutes after the pace was lifted.
     */
    synchronized long turn() {
      long rate = perSecond;
      if (rate <= 0) {
        return 0;
      }
      long now = System.nanoTime();
      // A crowd held up by busy phones does not shake faster afterwards: missed shakes are not caught up.
      long at = Math.max(due, now);
      if (at - now > AHEAD_MS * 1_000_000) {
        return -1;
      }
      due = at + 1_000_000_000L / rate;
      return (at - now) / 1_000_000;
    }
  }

  /** From now on the users shake at {@code perSecond} (0: each next shake as soon as the last is answered). */
  public void pace(long perSecond) {
    pace.perSecond = perSecond;
  }

  private void next(WavePlan plan, Pace pace, AtomicLong left, Result r, CountDownLatch done) {
    if (left.getAndDecrement() <= 0) {
      done.countDown();
      return;
    }
    paced(plan, pace, left, r, done);
  }

  /** The user's shake once the pace gives it a turn. */
  private void paced(WavePlan plan, Pace pace, AtomicLong left, Result r, CountDownLatch done) {
    long wait = pace.turn();
    if (wait < 0) {
      users.vertx.setTimer(Pace.AHEAD_MS, id -> paced(plan, pace, left, r, done));
    } else if (wait >= 1) {
      users.vertx.setTimer(wait, id -> gesture(plan, pace, left, r, done));
    } else {
      gesture(plan, pace, left, r, done);
    }
  }

  /** One shake of a user: answered on the phone as the policy says, or sent. */
  private void gesture(WavePlan plan, Pace pace, AtomicLong left, Result r, CountDownLatch done) {
    Shake s;
    synchronized (plan) {
      s = plan.next();
    }
    r.gestures.incrementAndGet();
    ClientPolicy policy = users.policy();
    long now = System.nanoTime();
    Long last = lastSent.get(s.getUserId());
    AtomicLong local = policy.answersItself(s.getShakeId()) ? r.sampledByClient
        : last != null && now - last < policy.minIntervalMs() * 1_000_000 ? r.tooSoonByClient : null;
    if (local != null) {
      local.incrementAndGet();
      // Answered at once: the next one on a fresh stack, not by recursion.
      users.vertx.runOnContext(v -> next(plan, pace, left, r, done));
      return;
    }
    lastSent.put(s.getUserId(), now);
    r.sent.incrementAndGet();
    shake(s, 1, now, r).onComplete(x -> next(plan, pace, left, r, done));
  }

  private Future<Void> shake(Shake s, int attempt, long t0, Result r) {
    Buffer body = Buffer.buffer(new JsonObject().put("shakeId", s.getShakeId()).put("poolId", s.getPoolId())
        .put("device", s.getDevice()).encode());
    RequestOptions options = users.request(HttpMethod.POST, "/v1/shakes", s.getUserId())
        .putHeader("Content-Type", "application/json");
    return users.client.request(options).compose(req -> req.send(body))
        .compose(resp -> {
          users.observePolicy(resp.getHeader(ClientPolicy.HEADER));
          return resp.body().map(b -> new Object[] {resp.statusCode(), resp.getHeader("Retry-After"), b});
        })
        .transform(ar -> {
          if (ar.failed()) {
            r.timedOut.incrementAndGet();
            onTimeout(s.getUserId());
            return Future.succeededFuture();
          }
          int status = (Integer) ar.result()[0];
          if (status == 200) {
            JsonObject o = new JsonObject((Buffer) ar.result()[2]);
            record(o, t0, r);
            return Future.succeededFuture();
          }
          if (status == 202) {
            r.polled.incrementAndGet();
            return poll(s, t0, r);
          }
          if ((status == 429 || status == 503) && attempt < MAX_ATTEMPTS) {
            (status == 429 ? r.retriedAfter429 : r.retriedAfter503).incrementAndGet();
            return Backoff.after(users.vertx, (String) ar.result()[1], attempt).compose(v -> shake(s, attempt + 1, t0, r));
          }
          if (status == 429 || status == 503) {
            r.gaveUp.incrementAndGet();
          } else {
            r.refused4xx.incrementAndGet();
          }
          return Future.succeededFuture();
        });
  }


  /** Under {@code on-timeout=wait}, the user sees a friendly busy message and sends nothing for the busy time. */
  private void onTimeout(String user) {
    ClientPolicy p = users.policy();
    if (ClientPolicy.WAIT.equals(p.onTimeout())) {
      lastSent.put(user, System.nanoTime() + p.busySeconds() * 1_000_000_000L);
    }
  }

  private Future<Void> poll(Shake s, long t0, Result r) {
    if (System.nanoTime() - t0 > users.timeout.toNanos()) {
      r.timedOut.incrementAndGet();
      onTimeout(s.getUserId());
      return Future.succeededFuture();
    }
    return Future.<Void>future(p -> users.vertx.setTimer(100, id -> p.complete())).compose(v ->
        users.client.request(users.request(HttpMethod.GET, "/v1/shakes/" + s.getShakeId() + "?poolId=" + s.getPoolId(),
                s.getUserId()))
            .compose(req -> req.send())
            .compose(resp -> {
              users.observePolicy(resp.getHeader(ClientPolicy.HEADER));
              return resp.body().map(b -> new Object[] {resp.statusCode(), b});
            })
            .transform(ar -> {
              if (ar.succeeded() && (Integer) ar.result()[0] == 200) {
                record(new JsonObject((Buffer) ar.result()[1]).put("answeredBy", "backend"), t0, r);
                return Future.succeededFuture();
              }
              return poll(s, t0, r);
            }));
  }

  private static void record(JsonObject o, long t0, Result r) {
    long took = System.nanoTime() - t0;
    r.latency.recordValue(took);
    r.toOutcome.recordValue(took);
    ("edge".equals(o.getString("answeredBy")) ? r.answeredAtEdge : r.answeredByBackend).incrementAndGet();
    r.outcomes.computeIfAbsent(o.getString("outcome", "?"), k -> new AtomicLong()).incrementAndGet();
  }

  public void close() {
    users.close();
  }
}
