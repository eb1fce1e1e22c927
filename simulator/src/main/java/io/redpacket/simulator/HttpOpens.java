package io.redpacket.simulator;

import io.redpacket.core.Table;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Winners opening their packets through the HTTP ingest, following an {@link OpenPlan}: each open
 * at its time, with the user's token and an {@code Idempotency-Key}; {@code 429} and {@code 503}
 * retried after {@code Retry-After} with jitter and the same key; an owner whose open was
 * accepted ({@code 202}) polls the grant until it is credited. Open-to-credited time goes into an
 * HdrHistogram.
 */
public final class HttpOpens {
  /** Opening is shed before shakes under load, and can always be retried: clients keep at it for a while. */
  private static final int MAX_ATTEMPTS = 30;

  public static final class Result extends RequestCounts {
    public final AtomicLong retried = new AtomicLong();
    /** Open requests put on the wire, first tries and every retry. */
    public final AtomicLong attempts = new AtomicLong();
    /**
     * Owners' opens answered EXPIRED (at once, or by the grant's state while polling) that the client had sent
     * (first put on the wire) before its grant's expiry, as the client knew it from the grant.
     */
    public final AtomicLong expiredThoughSentInTime = new AtomicLong();
    /**
     * Of those, the ones the service itself had stamped in time ({@link #expiredThoughStampedInTime()}), by where
     * the EXPIRED came from: the ingest's own view of the grant ({@code answeredBy} edge), the settlement job's
     * answer ({@code backend}), or the grant's state seen while polling after a {@code 202}. Each points at a
     * different cause: an open that reached Kafka only after the refund, or one read after it.
     */
    public final Map<String, AtomicLong> expiredThoughStampedInTimeBy = new ConcurrentSkipListMap<>();
    public final Recorder openToCredited = new Recorder(3);
    /**
     * The parts of an owner's open-to-credited time (nanoseconds): from the user's tap until the open went on the
     * wire (a free connection of the shared pool, the simulator's event loop), from there until the ingest's answer
     * to it, and from that answer until the credit was seen (the settlement job, its commit, the ingest reading it).
     */
    public final Recorder tapToWire = new Recorder(3);
    public final Recorder wireToAnswer = new Recorder(3);
    public final Recorder answerToCredited = new Recorder(3);
    /** Opens whose answer already carried the credit ({@code "state":"CREDITED"}): seen without a poll. */
    public final AtomicLong creditedInAnswer = new AtomicLong();
    public Duration elapsed;

    /**
     * Of the opens expired though sent in time, the ones the service itself had stamped before the expiry
     * ({@code askedAt} in its answer to the open): an EXPIRED the backend should not have given. The rest
     * reached the service after the expiry.
     */
    public long expiredThoughStampedInTime() {
      return expiredThoughStampedInTimeBy.values().stream().mapToLong(AtomicLong::get).sum();
    }

    void stampedInTimeButExpired(String by) {
      expiredThoughStampedInTimeBy.computeIfAbsent(by, k -> new AtomicLong()).incrementAndGet();
    }

    /** Every open-to-credited time recorded so far (nanoseconds). */
    public org.HdrHistogram.Histogram openToCreditedSoFar() {
      return soFar(openToCredited);
    }

    /** Shed answers (429 and 503) as a percentage of all open requests sent. */
    public double shedPercent() {
      long shed = retried.get() + gaveUp.get();
      return attempts.get() == 0 ? 0 : 100.0 * shed / attempts.get();
    }

    public String render() {
      var h = openToCreditedSoFar();
      Table t = new Table("opens", "answers", "retried (429/503)", "no answer, sent again", "gave up", "timed out",
          "open to credited p50 ms", "p99 ms");
      t.row(String.format("%,d", sent.get()), answersCell(),
          String.format("%,d", retried.get()), String.format("%,d", unanswered.get()), String.format("%,d", gaveUp.get()),
          String.format("%,d", timedOut.get()),
          h.getTotalCount() == 0 ? "-" : String.format("%.0f", h.getValueAtPercentile(50) / 1e6),
          h.getTotalCount() == 0 ? "-" : String.format("%.0f", h.getValueAtPercentile(99) / 1e6));
      return t.render() + parts();
    }

    /** The parts of open to credited, as p50 / p99 each: where the time of the slowest opens went. */
    private synchronized String parts() {
      org.HdrHistogram.Histogram tap = soFar(tapToWire);
      org.HdrHistogram.Histogram wire = soFar(wireToAnswer);
      org.HdrHistogram.Histogram answer = soFar(answerToCredited);
      if (answer.getTotalCount() == 0) {
        return "";
      }
      return String.format("open to credited in parts, p50 / p99 ms: tap to on the wire %s, on the wire to the open's"
          + " answer %s, the answer to the credit seen %s (%,d of %,d credits seen in the open's answer)%n",
          p50p99(tap), p50p99(wire), p50p99(answer), creditedInAnswer.get(), answer.getTotalCount());
    }

    private final Map<Recorder, org.HdrHistogram.Histogram> recordedSoFar = new java.util.HashMap<>();

    /** Every value of {@code part} (open to credited, or one of its parts) recorded so far. */
    public synchronized org.HdrHistogram.Histogram soFar(Recorder part) {
      org.HdrHistogram.Histogram h = part.getIntervalHistogram();
      org.HdrHistogram.Histogram all = recordedSoFar.get(part);
      if (all == null) {
        recordedSoFar.put(part, h);
        return h.copy();
      }
      all.add(h);
      return all.copy();
    }

    private static String p50p99(org.HdrHistogram.Histogram h) {
      return String.format("%.0f / %.0f", h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6);
    }
  }

  private final VirtualUsers users;
  /** A grant's expiry (epoch millis) as the client knows it, or {@code Long.MAX_VALUE} when it does not. */
  private volatile java.util.function.ToLongFunction<String> expiryOf = id -> Long.MAX_VALUE;

  /** Tells the clients each grant's expiry, to count opens answered EXPIRED though sent in time. */
  public void expiryOf(java.util.function.ToLongFunction<String> expiryOf) {
    this.expiryOf = expiryOf;
  }

  public HttpOpens(String baseUrl, String tokenSecret, int connections, Duration timeout) {
    this.users = new VirtualUsers(baseUrl, tokenSecret, connections, timeout);
  }


  private final Result result = new Result();
  private volatile java.util.function.Consumer<OpenPlan.Action> onCredited = a -> {};

  /** Called once per owner's open when its credit is seen: the owner may now share the packet. */
  public void onCredited(java.util.function.Consumer<OpenPlan.Action> listener) {
    this.onCredited = listener;
  }
  private final AtomicLong pending = new AtomicLong();
  private final long start = System.nanoTime();

  private volatile SlowRecords waits;

  /** Each open's wait (sent to credit seen, or to its last answer) goes to {@code waits} as {@code opens}. */
  public void recordWaits(SlowRecords waits) {
    this.waits = waits;
  }

  /** Sends the open after {@code delayMillis}; returns at once. */
  public void submit(OpenPlan.Action a, long delayMillis) {
    pending.incrementAndGet();
    users.later(delayMillis, () -> {
      result.sent.incrementAndGet();
      long t0 = System.nanoTime();
      users.bounded(open(a, 1, t0, result, new Sent()), users.deadline(t0), null, () -> {
        result.cut.incrementAndGet();
        result.timedOut.incrementAndGet();
      }).onComplete(x -> {
        SlowRecords w = waits;
        if (w != null && a.kind() != OpenPlan.Kind.FOREIGN) {
          w.recordSince("opens", t0);
        }
        pending.decrementAndGet();
      });
    });
  }

  /** Opens submitted and not yet answered, given up or timed out. */
  public long pending() {
    return pending.get();
  }

  public Result result() {
    result.elapsed = Duration.ofNanos(System.nanoTime() - start);
    return result;
  }

  /**
   * When an open was first sent: when its first try got a connection and went on the wire. A phone has
   * a connection of its own; the simulated owners share a pool, and a wait for a free connection of it
   * is the simulator's, not the owner's.
   */
  private final class Sent {
    private volatile long atMillis = Long.MAX_VALUE;
    /** When it first went on the wire, and when the open itself was last answered (System.nanoTime). */
    private volatile long atNanos;
    private volatile long answeredNanos;

    void now() {
      if (atMillis == Long.MAX_VALUE) {
        atNanos = System.nanoTime();
      }
      atMillis = Math.min(atMillis, System.currentTimeMillis());
    }

    boolean inTime(OpenPlan.Action a) {
      return atMillis < expiryOf.applyAsLong(a.grantId());
    }
  }

  private Future<Void> open(OpenPlan.Action a, int attempt, long t0, Result r, Sent sent) {
    r.attempts.incrementAndGet();
    RequestOptions options = users.request(HttpMethod.POST, "/v1/grants/" + encoded(a.grantId()) + "/open", a.userId())
        .putHeader("Idempotency-Key", a.openId());
    return users.client.request(options).compose(req -> {
      sent.now();
      return req.send();
    })
        .compose(resp -> resp.body().map(b -> new Object[] {resp.statusCode(), resp.getHeader("Retry-After"), b}))
        .transform(ar -> {
          if (ar.failed() && users.timeLeft(t0) && attempt < MAX_ATTEMPTS) { // lost: again, with the same key
            r.unanswered.incrementAndGet();
            return Backoff.after(users.vertx, null, attempt).compose(v -> open(a, attempt + 1, t0, r, sent));
          }
          if (ar.failed()) {
            r.timedOut.incrementAndGet();
            return Future.succeededFuture();
          }
          int status = (Integer) ar.result()[0];
          if ((status == 429 || status == 503) && attempt < MAX_ATTEMPTS) {
            r.retried.incrementAndGet();
            return Backoff.after(users.vertx, (String) ar.result()[1], attempt).compose(v -> open(a, attempt + 1, t0, r, sent));
          }
          if (status == 429 || status == 503) {
            r.gaveUp.incrementAndGet();
            return Future.succeededFuture();
          }
          sent.answeredNanos = System.nanoTime();
          boolean inTime = sent.inTime(a);
          JsonObject body = jsonOrEmpty((Buffer) ar.result()[2]);
          long expiry = expiryOf.applyAsLong(a.grantId());
          boolean stampedInTime = body.getLong("askedAt", Long.MAX_VALUE) < expiry;
          if (status == 202) {
            r.count("ACCEPTED (202)");
            return a.kind() == OpenPlan.Kind.FOREIGN ? Future.succeededFuture() : poll(a, t0, r, 0, inTime, stampedInTime, sent);
          }
          String result = body.getString("result", "HTTP " + status);
          r.count(result);
          if ("EXPIRED".equals(result) && inTime && a.kind() != OpenPlan.Kind.FOREIGN) {
            r.expiredThoughSentInTime.incrementAndGet();
            if (stampedInTime) {
              r.stampedInTimeButExpired(body.getString("answeredBy", "unknown"));
            }
          }
          if ("OPENED".equals(result) && CREDIT_FROM_ANSWER && "CREDITED".equals(body.getString("state"))) {
            r.creditedInAnswer.incrementAndGet();
            credited(a, t0, r, sent); // the answer already carries the credit: nothing to poll for
            return Future.succeededFuture();
          }
          if ("OPENED".equals(result)) {
            return poll(a, t0, r, 0, inTime, stampedInTime, sent);
          }
          return Future.succeededFuture();
        });
  }

  /** Whether a credit in the open's answer counts as seen (false: poll for it, as clients before it did). */
  static final boolean CREDIT_FROM_ANSWER =
      Boolean.parseBoolean(System.getProperty("redpacket.simulator.creditFromAnswer", "true"));

  /** How long each poll asks the ingest to hold its answer until the grant is credited or expires ({@code ?wait=}). */
  static final int POLL_HOLD_SECONDS = Integer.getInteger("redpacket.simulator.pollHoldSeconds", 10);

  /**
   * Polls the grant until its credit is visible, for the open-to-credited time. Each poll asks the ingest to hold
   * its answer until the grant settles ({@link #POLL_HOLD_SECONDS}), so the credit is seen when the ingest reads it
   * and a held poll is asked again at once. A grant not known yet ({@code 404}) is asked again after a wait that
   * grows by half each time, up to 3 s: thousands of owners polling every 200 ms would be a load of their own.
   */
  private Future<Void> poll(OpenPlan.Action a, long t0, Result r, long waitMillis, boolean inTime,
      boolean stampedInTime, Sent sent) {
    if (System.nanoTime() - t0 > users.timeout.toNanos()) {
      r.timedOut.incrementAndGet();
      return Future.succeededFuture();
    }
    long[] asked = new long[1];
    return Future.<Void>future(p -> users.vertx.setTimer(Math.max(1, waitMillis), id -> p.complete())).compose(v -> {
      return (POLL_HOLD_SECONDS > 0 ? users.heldPolls : users.client).request(users.request(HttpMethod.GET,
              "/v1/grants/" + encoded(a.grantId()) + (POLL_HOLD_SECONDS > 0 ? "?wait=" + POLL_HOLD_SECONDS : ""),
              a.userId()))
            .compose(req -> {
              asked[0] = System.nanoTime(); // on the wire: a wait for a connection is not the ingest holding it
              return req.send();
            })
            .compose(resp -> resp.body().map(b -> new Object[] {resp.statusCode(), b}))
            .transform(ar -> {
              if (ar.succeeded() && (Integer) ar.result()[0] == 200) {
                String state = new JsonObject((Buffer) ar.result()[1]).getString("state");
                if ("CREDITED".equals(state)) {
                  credited(a, t0, r, sent);
                  return Future.succeededFuture();
                }
                if ("EXPIRED".equals(state)) {
                  if (inTime && a.kind() != OpenPlan.Kind.FOREIGN) {
                    r.expiredThoughSentInTime.incrementAndGet();
                    if (stampedInTime) {
                      r.stampedInTimeButExpired("poll after 202");
                    }
                  }
                  return Future.succeededFuture();
                }
              }
              boolean held = System.nanoTime() - asked[0] >= 1_000_000_000L;
              if (ar.succeeded() && (Integer) ar.result()[0] == 200 && held) { // held, not settled within it: again
                return poll(a, t0, r, 0, inTime, stampedInTime, sent);
              }
              return poll(a, t0, r, Math.min(3000, Math.max(250, waitMillis * 3 / 2)), inTime, stampedInTime, sent);
            });
    });
  }

  /** The owner sees the credit now: in the open's answer, or in a poll's. */
  private void credited(OpenPlan.Action a, long t0, Result r, Sent sent) {
    long now = System.nanoTime();
    r.openToCredited.recordValue(now - t0);
    if (sent.answeredNanos != 0) {
      r.tapToWire.recordValue(Math.max(0, sent.atNanos - t0));
      r.wireToAnswer.recordValue(Math.max(0, sent.answeredNanos - sent.atNanos));
      r.answerToCredited.recordValue(Math.max(0, now - sent.answeredNanos));
    }
    if (a.kind() == OpenPlan.Kind.OWNER) {
      onCredited.accept(a);
    }
  }

  private static JsonObject jsonOrEmpty(Buffer b) {
    try {
      return b == null || b.length() == 0 ? new JsonObject() : new JsonObject(b);
    } catch (RuntimeException notJson) {
      return new JsonObject();
    }
  }

  /** Grant ids hold slashes (pool/set/sequence): one path segment, percent-encoded. */
  public static String encoded(String grantId) {
    return java.net.URLEncoder.encode(grantId, java.nio.charset.StandardCharsets.UTF_8);
  }


  public void close() {
    users.close();
  }
}
