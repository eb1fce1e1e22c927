package io.redpacket.simulator;

import io.redpacket.avro.ShareAction;
import io.redpacket.core.Table;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Sharers and their friends through the HTTP ingest, following a {@link SharePlan}: the sharer
 * shares once the packet is opened, and only once the share is answered SHARED do the friends
 * get the link, the share code in that answer, and claim with it (a share's id claims nothing). Sharing is the first thing the ingest sheds, so {@code 429} and
 * {@code 503} are retried after {@code Retry-After} with jitter and the same key for longer than
 * opens are, and an accepted ({@code 202}) request is sent again with the same key until it is
 * answered. Claim-to-answer time goes into an HdrHistogram.
 */
public final class HttpShares {
  private static final int MAX_ATTEMPTS = 30;
  /** How long past its timeout a request may still be waited on, in seconds. */
  public static final long GRACE_SECONDS = VirtualUsers.GRACE_MILLIS / 1000;

  public static final class Result extends RequestCounts {
    public final AtomicLong shed = new AtomicLong();
    public final AtomicLong claimsAnswered = new AtomicLong();
    public final Recorder claimToAnswer = new Recorder(3);
    volatile long firstClaimNanos;
    volatile long lastClaimNanos;

    void count(ShareAction action, String answer) {
      count(action.name().toLowerCase(java.util.Locale.ROOT) + " " + answer);
    }

    /** Claims answered per second, from the first claim sent to the last answered. */
    public double claimsPerSecond() {
      double s = (lastClaimNanos - firstClaimNanos) / 1e9;
      return s <= 0 ? 0 : claimsAnswered.get() / s;
    }

    public String render() {
      var h = claimToAnswer.getIntervalHistogram();
      Table t = new Table("share requests and claims", "answers", "shed (429) and retried", "no answer, sent again",
          "gave up", "timed out", "claims/s", "claim to answer p50 ms", "p99 ms");
      t.row(String.format("%,d", sent.get()), answersCell(),
          String.format("%,d", shed.get()), String.format("%,d", unanswered.get()), String.format("%,d", gaveUp.get()),
          String.format("%,d", timedOut.get()),
          String.format("%,.0f", claimsPerSecond()),
          h.getTotalCount() == 0 ? "-" : String.format("%.0f", h.getValueAtPercentile(50) / 1e6),
          h.getTotalCount() == 0 ? "-" : String.format("%.0f", h.getValueAtPercentile(99) / 1e6));
      return t.render();
    }
  }

  /** A request's answer: its result code, and the share code a SHARED answer gives its sharer (else null). */
  private record Answer(String result, String shareCode) {}

  private final VirtualUsers users;
  private final Result result = new Result();
  private final AtomicLong pending = new AtomicLong();

  public HttpShares(String baseUrl, String tokenSecret, int connections, Duration timeout) {
    this.users = new VirtualUsers(baseUrl, tokenSecret, connections, timeout);
  }


  private volatile SlowRecords waits;

  /** Each claim's wait (sent to its answer, or given up) goes to {@code waits} as {@code claims}. */
  public void recordWaits(SlowRecords waits) {
    this.waits = waits;
  }

  /**
   * One opened grant's share actions, from {@link SharePlan#actionsFor}: the share (and its retry)
   * now, someone else's attempt now, and the friends' claims once the share is answered SHARED.
   */
  public void submit(List<SharePlan.Action> actions) {
    SharePlan.Action share = null;
    for (SharePlan.Action a : actions) {
      if (a.kind() == SharePlan.Kind.SHARE) {
        share = a;
      } else if (a.kind() == SharePlan.Kind.FOREIGN_SHARE) {
        send(a, null, a.atMillis());
      }
    }
    if (share == null) {
      return;
    }
    pending.incrementAndGet();
    result.sent.incrementAndGet();
    long t0 = System.nanoTime();
    bounded(request(share, null, 1, t0), t0).onComplete(answer -> {
      pending.decrementAndGet();
      Answer shared = answer.result();
      if (shared == null || !"SHARED".equals(shared.result()) || shared.shareCode() == null) {
        return; // never shared: the friends never get a link
      }
      for (SharePlan.Action a : actions) {
        if (a.kind() != SharePlan.Kind.SHARE && a.kind() != SharePlan.Kind.FOREIGN_SHARE) {
          send(a, shared.shareCode(), a.atMillis());
        }
      }
    });
  }

  /** @param shareCode what the friends were sent to claim with; null for a share request */
  private void send(SharePlan.Action a, String shareCode, long delayMillis) {
    pending.incrementAndGet();
    users.later(delayMillis, () -> {
      result.sent.incrementAndGet();
      long t0 = System.nanoTime();
      if (a.action() == ShareAction.CLAIM && result.firstClaimNanos == 0) {
        result.firstClaimNanos = t0;
      }
      bounded(request(a, shareCode, 1, t0), t0).onComplete(x -> {
        if (a.action() == ShareAction.CLAIM && x.result() != null) {
          result.claimToAnswer.recordValue(System.nanoTime() - t0);
          result.claimsAnswered.incrementAndGet();
          result.lastClaimNanos = System.nanoTime();
        }
        SlowRecords w = waits;
        if (w != null && a.action() == ShareAction.CLAIM) {
          w.recordSince("claims", t0);
        }
        pending.decrementAndGet();
      });
    });
  }

  /** Requests submitted and not yet answered, given up or timed out. */
  public long pending() {
    return pending.get();
  }

  public Result result() {
    return result;
  }

  private Future<Answer> bounded(Future<Answer> request, long t0) {
    return users.bounded(request, users.deadline(t0), null, () -> {
      result.cut.incrementAndGet();
      result.timedOut.incrementAndGet();
    });
  }

  /** The request's answer, or null when there was none in time. */
  private Future<Answer> request(SharePlan.Action a, String shareCode, int attempt, long t0) {
    return request(a, shareCode, attempt, t0, 0);
  }

  /** @param accepted how many times the request was already answered 202 */
  private Future<Answer> request(SharePlan.Action a, String shareCode, int attempt, long t0, int accepted) {
    String uri = a.action() == ShareAction.SHARE ? "/v1/grants/" + HttpOpens.encoded(a.shareId()) + "/share"
        : "/v1/shares/" + HttpOpens.encoded(shareCode) + "/claim";
    RequestOptions options = users.request(HttpMethod.POST, uri, a.userId())
        .putHeader("Idempotency-Key", a.requestId());
    return users.client.request(options).compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> new Object[] {resp.statusCode(), resp.getHeader("Retry-After"), b}))
        .transform(ar -> {
          if (ar.failed() && users.timeLeft(t0) && attempt < MAX_ATTEMPTS) { // lost: again, with the same key
            result.unanswered.incrementAndGet();
            return Backoff.after(users.vertx, null, attempt).compose(v -> request(a, shareCode, attempt + 1, t0, accepted));
          }
          if (ar.failed() || !users.timeLeft(t0)) {
            result.timedOut.incrementAndGet();
            return Future.succeededFuture(null);
          }
          int status = (Integer) ar.result()[0];
          if (status == 429 || status == 503) {
            if (attempt >= MAX_ATTEMPTS) {
              result.gaveUp.incrementAndGet();
              return Future.succeededFuture(null);
            }
            result.shed.incrementAndGet();
            return Backoff.after(users.vertx, (String) ar.result()[1], attempt)
                .compose(v -> request(a, shareCode, attempt + 1, t0, accepted));
          }
          if (status == 202) { // accepted, answer not yet read back: ask again with the same key, less and less often
            long wait = Math.min(3000, 500L << Math.min(3, accepted));
            return Future.<Void>future(p -> users.vertx.setTimer(wait, id -> p.complete()))
                .compose(v -> request(a, shareCode, attempt, t0, accepted + 1));
          }
          JsonObject body = new JsonObject((Buffer) ar.result()[2]);
          String code = body.getString("result", "HTTP " + status);
          result.count(a.action(), code);
          return Future.succeededFuture(new Answer(code, body.getString("shareCode")));
        });
  }

  public void close() {
    users.close();
  }
}
