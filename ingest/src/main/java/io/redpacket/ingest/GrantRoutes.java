package io.redpacket.ingest;

import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenResult;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.codec.Topics;
import io.redpacket.core.Settlement;
import io.redpacket.core.Table;
import io.redpacket.kafka.Records;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/** {@code POST /v1/grants/{id}/open} and {@code GET /v1/grants/{id}}: opening a packet and seeing its state. */
final class GrantRoutes {
  /** When a shed open may be sent again. */
  static final long OPEN_RETRY_AFTER_SECONDS = 2;
  /**
   * An open whose grant expires within this is never shed: its retry, Retry-After later (clients add
   * jitter, up to half of it again) plus the way there, could be stamped after the expiry and refused
   * EXPIRED though its owner first sent it in time. Twice the Retry-After and 5 s for the way.
   */
  static final long NOT_SHED_WITHIN_MILLIS = 2 * OPEN_RETRY_AFTER_SECONDS * 1000 + 5_000;
  private final SettlementBoard settlement;
  private final Forwarder forwarder;
  private final Replies replies;
  private final String opensTopic;
  private final long grantExpiryMillis;
  private final PoolView pools;

  private final FirstAsked asked;

  GrantRoutes(IngestConfig config, PoolView pools, SettlementBoard settlement, Forwarder forwarder, Replies replies,
      FirstAsked asked, IngestMetrics metrics) {
    this.asked = asked;
    metrics.pollsHeld(heldPolls::get);
    this.pools = pools;
    this.grantExpiryMillis = config.grantExpiry().toMillis();
    this.settlement = settlement;
    this.forwarder = forwarder;
    this.replies = replies;
    this.opensTopic = Topics.named(config.topicPrefix(), Topics.OPENS);
  }

  void mount(Router router, Authentication auth, UserLimits limits) {
    router.post("/v1/grants/:grantId/open").handler(auth.user("open")).handler(limits.per("open", UserLimits.REQUESTS))
        .handler(this::openGrant);
    router.get("/v1/grants/:grantId").handler(auth.user("grant")).handler(limits.per("grant", UserLimits.POLLS))
        .handler(this::getGrant);
  }

  private void openGrant(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String userId = Authentication.userId(ctx);
    String grantId = ctx.pathParam("grantId");
    String openId = IdempotentRequests.key(ctx, replies, "open", grantId, "grant");
    if (openId == null) {
      return;
    }
    String key = SettlementBoard.openKey(userId, openId);
    OpenResult known = settlement.knownResult(key);
    if (known != null) { // a client retry: the same answer again
      openAnswer(ctx, known, "known", t0);
      return;
    }
    long now = System.currentTimeMillis();
    // Stamped with when the owner first asked: a retry after a 503 (Kafka away, as while a broker fails
    // over), a 429 or a lost answer is the same open, and must not become late because it was retried.
    long firstAsked = asked.of("open", userId, grantId, openId, now);
    Open open = new Open(openId, grantId, userId, firstAsked);
    GrantState state = settlement.grant(grantId);
    OpenResult refused = state == null ? null : Settlement.refusal(state, open);
    if (refused != null) {
      openAnswer(ctx, refused, "edge", t0);
      return;
    }
    boolean due = earliestExpiry(state, grantId) - now <= NOT_SHED_WITHIN_MILLIS;
    if (!due && LoadLevel.shed(LoadLevel.Kind.OPEN, forwarder.shedLevel())) {
      replies.shed(ctx, "open", "open_load", 429, OPEN_RETRY_AFTER_SECONDS, "overloaded",
          "opening is paused while the service is under load; your packet is safe, retry after "
              + OPEN_RETRY_AFTER_SECONDS + " s");
      return;
    }
    // Past the in-flight cap only for the owner's own grant about to expire: bounded by real grants.
    if (!(due && state != null) && forwarder.atCapacity(ctx, "open")) {
      return;
    }
    forwarder.forwardAndAwait(ctx, "open", "open", settlement.signal(), Records.open(opensTopic, open), settlement.await(key),
        () -> settlement.forget(key),
        () -> {
          settlement.markOpenSent(grantId);
          replies.counted("forwarded", "open");
        },
        result -> openAnswer(ctx, result, "backend", t0),
        () -> replies.json(ctx, "open", 202, new JsonObject().put("grantId", grantId).put("openId", openId)
            .put("status", "accepted").put("askedAt", open.getTimestamp())
            .put("poll", "/v1/grants/" + Replies.segment(grantId))));
  }

  /**
   * The earliest the grant an open is for can expire, by the settlement job's expiry (which the ingest
   * is told): a grant still unopened expires that long after it was granted; one not known here yet
   * (settlement has not written it, as while it recovers) no earlier than that long after its pool's
   * start; one already opened or expired, or of no known pool, never (a retry loses nothing).
   */
  long earliestExpiry(GrantState state, String grantId) {
    if (state != null) {
      return state.getState() == GrantPhase.GRANTED ? state.getGrantedMillis() + grantExpiryMillis : Long.MAX_VALUE;
    }
    int slash = grantId.indexOf('/'); // grant ids are poolId/setId/sequence (Keys.grant)
    PoolDefinition pool = slash > 0 ? pools.pool(grantId.substring(0, slash)) : null;
    return pool == null ? Long.MAX_VALUE : pool.getStartMillis() + grantExpiryMillis;
  }

  private void openAnswer(RoutingContext ctx, OpenResult r, String by, long t0) {
    int status = switch (r.getResult()) {
      case OPENED, ALREADY_OPENED -> 200;
      case NOT_OWNER -> 403;
      case EXPIRED -> 410;
      case UNKNOWN_GRANT -> 404;
    };
    if (!by.equals("backend")) {
      replies.counted("local", "open_" + r.getResult().name().toLowerCase(Locale.ROOT));
    }
    replies.timed("open", by, t0);
    // askedAt: the time the open is judged by (when its owner first asked), so a client can tell an
    // EXPIRED that its request reached the service too late for from one that did not.
    JsonObject body = new JsonObject().put("grantId", r.getGrantId()).put("openId", r.getOpenId())
        .put("result", r.getResult().toString()).put("answeredBy", by).put("askedAt", r.getTimestamp());
    if (r.getCents() != null) {
      body.put("cents", r.getCents()).put("amount", Table.money(r.getCents()));
    }
    if (r.getResult() == io.redpacket.avro.OpenCode.OPENED) {
      // Whether the credit is already read: CREDITED needs no poll; OPENED means it is on its way. The job writes
      // both in the same checkpoint's transactions, so by the time this is answered the credit mostly is.
      GrantState g = settlement.grant(r.getGrantId());
      boolean credited = g != null && g.getUserId().equals(r.getUserId()) && g.getState() == GrantPhase.CREDITED;
      body.put("state", credited ? "CREDITED" : "OPENED");
    }
    replies.json(ctx, "open", status, body);
  }

  /** The longest a poll may hold its answer for the grant to settle ({@code ?wait=}, seconds). */
  static final int MAX_WAIT_SECONDS = 20;
  /** Polls held at once; past it a poll is answered at once, as one without {@code wait}. */
  static final int MAX_HELD_POLLS = 10_000;
  private final java.util.concurrent.atomic.AtomicInteger heldPolls = new java.util.concurrent.atomic.AtomicInteger();

  /**
   * The grant's state. With {@code ?wait=N} (seconds, at most {@link #MAX_WAIT_SECONDS}) the answer to the owner of a
   * grant not yet credited or expired is held until it is, or N seconds have passed: the owner sees the credit as
   * soon as the ingest reads it, instead of at its next poll, and polls less.
   */
  private void getGrant(RoutingContext ctx) {
    String grantId = ctx.pathParam("grantId");
    String waitParam = ctx.request().getParam("wait");
    int wait = 0;
    if (waitParam != null) {
      wait = waitParam.matches("[0-9]{1,2}") ? Integer.parseInt(waitParam) : -1;
      if (wait < 0 || wait > MAX_WAIT_SECONDS) {
        replies.error(ctx, "grant", 400, "bad_wait", "wait must be a whole number of seconds from 0 to "
            + MAX_WAIT_SECONDS + ": how long the answer may wait for the grant to be credited or to expire");
        return;
      }
    }
    String userId = Authentication.userId(ctx);
    if (wait == 0 || !unsettledOf(grantId, userId)) {
      answerGrant(ctx, grantId, userId);
      return;
    }
    String holder = userId + '\n' + grantId;
    int all = heldPolls.incrementAndGet();
    int ofThisGrant = heldBy.merge(holder, 1, Integer::sum);
    if (all > MAX_HELD_POLLS || ofThisGrant > HELD_PER_GRANT) {
      release(holder);
      answerGrant(ctx, grantId, userId);
      return;
    }
    hold(ctx, grantId, userId, holder, wait * 1000L);
  }

  /** Held polls of one owner's grant at most: one client's flood of polls cannot take every other owner's holds. */
  static final int HELD_PER_GRANT = 2;
  private final java.util.concurrent.ConcurrentHashMap<String, Integer> heldBy = new java.util.concurrent.ConcurrentHashMap<>();

  private void release(String holder) {
    heldPolls.decrementAndGet();
    heldBy.computeIfPresent(holder, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Holds the poll on its own event loop until the grant settles, the wait ends or the client goes. */
  private void hold(RoutingContext ctx, String grantId, String userId, String holder, long waitMillis) {
    io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable[] watcher = new Runnable[1];
    long[] timer = new long[1];
    Runnable finish = () -> {
      if (done.compareAndSet(false, true)) {
        release(holder);
        settlement.unwatch(grantId, watcher[0]);
        ctx.vertx().cancelTimer(timer[0]);
        if (!ctx.response().closed()) {
          answerGrant(ctx, grantId, userId);
        }
      }
    };
    // Called on the board's reader thread when the grant's next state is read: looked at on the poll's own loop.
    watcher[0] = () -> context.runOnContext(v -> {
      if (done.get()) {
        return;
      }
      if (unsettledOf(grantId, userId)) {
        settlement.watch(grantId, watcher[0]);
        if (!unsettledOf(grantId, userId)) { // settled between the look and the watch
          finish.run();
        }
      } else {
        finish.run();
      }
    });
    settlement.watch(grantId, watcher[0]);
    timer[0] = ctx.vertx().setTimer(waitMillis, id -> finish.run());
    ctx.response().closeHandler(v -> finish.run());
    if (!unsettledOf(grantId, userId)) { // read between the first look and the watch
      finish.run();
    }
  }

  /** Whether the grant is known, {@code userId}'s, and neither credited nor expired: what a held poll waits on. */
  private boolean unsettledOf(String grantId, String userId) {
    GrantState s = IdempotentRequests.validId(grantId) ? settlement.grant(grantId) : null;
    return s != null && s.getUserId().equals(userId) && s.getState() != GrantPhase.CREDITED
        && s.getState() != GrantPhase.EXPIRED;
  }

  private void answerGrant(RoutingContext ctx, String grantId, String userId) {
    GrantState s = IdempotentRequests.validId(grantId) ? settlement.grant(grantId) : null;
    if (s == null || !s.getUserId().equals(userId)) { // someone else's grant looks like none
      replies.error(ctx, "grant", 404, "not_known", "no grant of yours with this id is known yet; poll again shortly");
      return;
    }
    String state = s.getState() == GrantPhase.GRANTED && settlement.openSent(grantId) ? "OPENED" : s.getState().toString();
    JsonObject body = new JsonObject().put("grantId", s.getGrantId()).put("poolId", s.getPoolId())
        .put("cents", s.getCents()).put("amount", Table.money(s.getCents())).put("state", state);
    if (s.getOpenId() != null) {
      body.put("openId", s.getOpenId());
    }
    replies.json(ctx, "grant", 200, body);
  }
}
