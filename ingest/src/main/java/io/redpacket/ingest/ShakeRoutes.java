package io.redpacket.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Topics;
import io.redpacket.core.StableHash;
import io.redpacket.core.Table;
import io.redpacket.kafka.Records;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code POST /v1/shakes} and {@code GET /v1/shakes/{id}}: answers what it can itself (unknown,
 * closed or exhausted pools, users over their rate, shakes sampled out of the backend's budget)
 * and forwards the rest, answering with the allocation job's outcome.
 */
final class ShakeRoutes {
  /** The reasons a shake is answered at the edge, as counted in {@code redpacket_ingest_answers_total{path="local"}}. */
  static final java.util.Set<String> LOCAL_REASONS = java.util.Set.of("unknown_pool", "not_active", "exhausted",
      "sampled_out");
  private final IngestConfig config;
  private final PoolView pools;
  private final OutcomeBoard outcomes;
  private final Forwarder forwarder;
  private final Replies replies;
  private final TokenBucket admission;
  private final Cache<String, TokenBucket> users;
  private final String shakesTopic;

  ShakeRoutes(IngestConfig config, PoolView pools, OutcomeBoard outcomes, Forwarder forwarder, Replies replies,
      CacheBudget budget) {
    this.config = config;
    this.users = budget.cache(CacheBudget.Use.SHAKE_USERS, b -> CacheBudget.BUCKET_BYTES, Duration.ofMinutes(2), true);
    this.pools = pools;
    this.outcomes = outcomes;
    this.forwarder = forwarder;
    this.replies = replies;
    this.admission = new TokenBucket(config.admissionPerSecond(), Math.max(1, config.admissionPerSecond() / 10.0),
        System.nanoTime());
    this.shakesTopic = Topics.named(config.topicPrefix(), Topics.SHAKES);
  }

  void mount(Router router, Authentication auth, UserLimits limits) {
    router.post("/v1/shakes").handler(auth.user("shakes")).handler(this::shake);
    router.get("/v1/shakes/:shakeId").handler(auth.user("shake")).handler(limits.per("shake", UserLimits.POLLS))
        .handler(this::getShake);
  }

  private void shake(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String userId = Authentication.userId(ctx);
    ShakeRequest req;
    try {
      req = ShakeRequest.parse(ctx.body().buffer());
    } catch (ShakeRequest.BadRequest e) {
      replies.error(ctx, "shakes", 400, e.code, e.getMessage());
      return;
    }
    long now = System.currentTimeMillis();
    String key = OutcomeBoard.key(req.poolId(), userId, req.shakeId());
    ShakeOutcome known = outcomes.known(key);
    if (known != null) { // a client retry: the same answer again
      answer(ctx, known, true, "known", t0);
      return;
    }
    PoolDefinition pool = pools.pool(req.poolId());
    if (pool == null) {
      local(ctx, req, userId, -1, OutcomeCode.UNKNOWN_POOL, "no pool " + req.poolId(), "unknown_pool", t0);
      return;
    }
    int setId = StableHash.setOf(userId, pool.getSets());
    if (now < pool.getStartMillis() || now >= pool.getEndMillis()) {
      local(ctx, req, userId, setId, OutcomeCode.POOL_NOT_ACTIVE, "outside the pool's window", "not_active", t0);
      return;
    }
    if (pools.exhausted(req.poolId(), setId)) {
      local(ctx, req, userId, setId, OutcomeCode.POOL_EXHAUSTED, null, "exhausted", t0);
      return;
    }
    long retryAfter = users.get(userId, u -> new TokenBucket(config.userPerSecond(), 2 * config.userPerSecond(),
        System.nanoTime())).take(System.nanoTime());
    if (retryAfter > 0) {
      replies.shed(ctx, "shakes", "user_rate", 429, retryAfter, "too_many_requests",
          "this user shakes too fast; retry after " + retryAfter + " s");
      return;
    }
    int level = forwarder.loadLevel();
    if (forwarder.atCapacity(ctx, "shakes")) {
      return;
    }
    // Admission: the backend's budget. At level 3 the budget is halved (sampled harder).
    if (admission.take(System.nanoTime()) > 0 || (LoadLevel.sampleHarder(level) && (StableHash.of(key) & 1) == 0)) {
      local(ctx, req, userId, setId, OutcomeCode.NOT_LUCKY, "sampled out at the edge", "sampled_out", t0);
      return;
    }
    Shake shake = new Shake(req.shakeId(), userId, req.poolId(), setId, now, req.device());
    forwarder.forwardAndAwait(ctx, "shakes", "shake", outcomes.signal(), Records.shake(shakesTopic, shake),
        outcomes.await(key),
        () -> outcomes.forget(key),
        () -> replies.counted("forwarded", "admitted"),
        outcome -> answer(ctx, outcome, false, "backend", t0),
        () -> {
          replies.timed("shakes", "accepted", t0);
          replies.json(ctx, "shakes", 202, new JsonObject().put("shakeId", req.shakeId()).put("status", "accepted")
              .put("poll", "/v1/shakes/" + req.shakeId() + "?poolId=" + req.poolId()));
        });
  }

  private void local(RoutingContext ctx, ShakeRequest req, String userId, int setId, OutcomeCode code, String reason,
      String metric, long t0) {
    ShakeOutcome o = new ShakeOutcome(req.shakeId(), userId, req.poolId(), setId, code, null, null, reason, false,
        System.currentTimeMillis());
    // Not cached: a retry meets the same pool, window and status and gets the same answer.
    replies.counted("local", metric);
    answer(ctx, o, false, "edge", t0);
  }

  private void answer(RoutingContext ctx, ShakeOutcome o, boolean retry, String by, long t0) {
    replies.timed("shakes", by, t0);
    replies.json(ctx, "shakes", 200, outcomeJson(o, retry).put("answeredBy", by));
  }

  static JsonObject outcomeJson(ShakeOutcome o, boolean retry) {
    JsonObject j = new JsonObject().put("shakeId", o.getShakeId()).put("poolId", o.getPoolId())
        .put("outcome", o.getOutcome().toString());
    if (o.getGrantId() != null) {
      j.put("grantId", o.getGrantId()).put("cents", o.getCents()).put("amount", Table.money(o.getCents()));
    }
    if (o.getReason() != null) {
      j.put("reason", o.getReason());
    }
    return j.put("duplicate", o.getDuplicate() || retry);
  }

  private void getShake(RoutingContext ctx) {
    String poolId = ctx.request().getParam("poolId");
    String shakeId = ctx.pathParam("shakeId");
    if (poolId == null || poolId.length() > 128 || shakeId.length() > 128) {
      replies.error(ctx, "shake", 400, "missing_field", "ask for /v1/shakes/{shakeId}?poolId={poolId}");
      return;
    }
    ShakeOutcome o = outcomes.known(OutcomeBoard.key(poolId, Authentication.userId(ctx), shakeId));
    if (o == null) {
      replies.error(ctx, "shake", 404, "not_known", "no outcome known for this shake yet; poll again shortly");
      return;
    }
    replies.json(ctx, "shake", 200, outcomeJson(o, false));
  }
}
