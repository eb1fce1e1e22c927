package io.redpacket.ingest;

import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenCode;
import io.redpacket.avro.OpenResult;
import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareClaimed;
import io.redpacket.avro.SharePhase;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.avro.SplitMode;
import io.redpacket.codec.Topics;
import io.redpacket.core.Sharing;
import io.redpacket.core.StableHash;
import io.redpacket.core.Table;
import io.redpacket.core.Tokens;
import io.redpacket.kafka.PoolWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The access layer: a thin HTTP service in front of Kafka. It answers what it can itself (unknown,
 * closed or exhausted pools, users over their rate, shakes sampled out of the backend's budget)
 * and forwards the rest to {@code shakes}, answering with the allocation job's outcome.
 * A {@code 2xx} that says accepted is sent only after Kafka acknowledged the shake.
 */
public final class IngestServer implements AutoCloseable {
  private final IngestConfig config;
  private final Vertx vertx;
  private final Tokens tokens;
  private final PoolView pools;
  private final OutcomeBoard outcomes;
  private final SettlementBoard settlement;
  private final ShareBoard sharing;
  /** Grants whose open Kafka accepted but whose credit is not yet read back: shown as OPENED. */
  private final Cache<String, Boolean> openAccepted = Caffeine.newBuilder().maximumSize(1_000_000)
      .expireAfterWrite(Duration.ofMinutes(10)).build();
  private final KafkaProducer<byte[], byte[]> producer;
  private final TokenBucket admission;
  private final Cache<String, TokenBucket> users;
  private final IngestMetrics metrics = new IngestMetrics();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LoadLevel load;
  private final String shakesTopic;
  private final String opensTopic;
  private final String sharesTopic;
  private final String claimsTopic;
  private HttpServer server;

  private IngestServer(IngestConfig config) {
    this.config = config;
    this.vertx = Vertx.vertx();
    this.tokens = new Tokens(config.tokenSecret());
    this.pools = new PoolView(config.bootstrap(), config.topicPrefix());
    this.outcomes = new OutcomeBoard(config.bootstrap(), config.topicPrefix());
    this.settlement = new SettlementBoard(config.bootstrap(), config.topicPrefix());
    this.sharing = new ShareBoard(config.bootstrap(), config.topicPrefix());
    Properties p = ProducerSettings.reliable(config.bootstrap());
    // Never hold an event loop: fail fast when Kafka is away, and say 503.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "200");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "4000");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
    this.producer = new KafkaProducer<>(p);
    metrics.watch(producer);
    this.admission = new TokenBucket(config.admissionPerSecond(), Math.max(1, config.admissionPerSecond() / 10.0), System.nanoTime());
    this.users = Caffeine.newBuilder().maximumSize(2_000_000).expireAfterAccess(Duration.ofMinutes(2)).build();
    this.shakesTopic = Topics.named(config.topicPrefix(), Topics.SHAKES);
    this.opensTopic = Topics.named(config.topicPrefix(), Topics.OPENS);
    this.sharesTopic = Topics.named(config.topicPrefix(), Topics.SHARES);
    this.claimsTopic = Topics.named(config.topicPrefix(), Topics.SHARE_CLAIMS);
    this.load = new LoadLevel(config.maxInFlight());
  }

  /** Starts the service and returns once it listens. */
  public static IngestServer start(IngestConfig config) throws Exception {
    IngestServer s = new IngestServer(config);
    s.listen();
    return s;
  }

  public int port() {
    return server.actualPort();
  }

  private void listen() throws Exception {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
    router.post("/v1/shakes").handler(this::shake);
    router.get("/v1/shakes/:shakeId").handler(this::getShake);
    router.post("/v1/admin/pools").handler(this::createPool);
    router.post("/v1/grants/:grantId/open").handler(this::openGrant);
    router.get("/v1/grants/:grantId").handler(this::getGrant);
    router.post("/v1/grants/:grantId/share").handler(this::shareGrant);
    router.post("/v1/shares/:shareId/claim").handler(this::claimShare);
    router.get("/v1/shares/:shareId").handler(this::getShare);
    router.get("/health/live").handler(ctx -> json(ctx, "live", 200, new JsonObject().put("status", "live")));
    router.get("/health/ready").handler(this::ready);
    router.get("/metrics").handler(ctx -> {
      metrics.requests.labelValues("metrics", "200").inc();
      ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
    });
    router.errorHandler(404, ctx -> error(ctx, "unknown", 404, "not_found", "no such route; see the README for the endpoints"));
    router.errorHandler(405, ctx -> error(ctx, "unknown", 405, "method_not_allowed", "this route does not take " + ctx.request().method()));
    router.errorHandler(413, ctx -> error(ctx, "unknown", 413, "body_too_large", "the body is over " + config.maxBodyBytes() + " bytes"));
    router.errorHandler(400, ctx -> error(ctx, "unknown", 400, "bad_request", "the request could not be read"));
    router.errorHandler(500, ctx -> error(ctx, "unknown", 500, "internal", "internal error; the request may be retried"));
    HttpServerOptions options = new HttpServerOptions().setPort(config.port()).setHost("0.0.0.0")
        .setMaxHeaderSize(8192).setMaxInitialLineLength(4096).setIdleTimeout(60).setIdleTimeoutUnit(TimeUnit.SECONDS);
    server = listenOn(vertx.getOrCreateContext(), options, router);
    // Event-loop delay: a 50 ms timer that fires late means the loop is saturated.
    long[] due = {System.nanoTime() + 50_000_000L};
    vertx.setPeriodic(50, id -> {
      long now = System.nanoTime();
      load.loopDelay(Math.max(0, now - due[0]) / 1e6);
      load.tick();
      due[0] = now + 50_000_000L;
      loadLevel();
    });
  }

  private HttpServer listenOn(io.vertx.core.Context context, HttpServerOptions options, Router router) throws Exception {
    CompletableFuture<HttpServer> listening = new CompletableFuture<>();
    context.runOnContext(v -> vertx.createHttpServer(options).requestHandler(router).listen()
        .onComplete(r -> {
          if (r.succeeded()) {
            listening.complete(r.result());
          } else {
            listening.completeExceptionally(r.cause());
          }
        }));
    return listening.get(30, TimeUnit.SECONDS);
  }

  private String user(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String token = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : null;
    return tokens.verify(token, System.currentTimeMillis());
  }

  private void shake(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String userId;
    ShakeRequest req;
    try {
      userId = user(ctx);
    } catch (Tokens.InvalidTokenException e) {
      error(ctx, "shakes", 401, "unauthorized", e.getMessage());
      return;
    }
    try {
      req = ShakeRequest.parse(ctx.body().buffer());
    } catch (ShakeRequest.BadRequest e) {
      error(ctx, "shakes", 400, e.code, e.getMessage());
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
    long retryAfter = users.get(userId, u -> new TokenBucket(config.userPerSecond(), 2 * config.userPerSecond(), System.nanoTime()))
        .take(System.nanoTime());
    if (retryAfter > 0) {
      metrics.answers.labelValues("shed", "user_rate").inc();
      ctx.response().putHeader("Retry-After", String.valueOf(retryAfter));
      error(ctx, "shakes", 429, "too_many_requests", "this user shakes too fast; retry after " + retryAfter + " s");
      return;
    }
    int level = loadLevel();
    if (atCapacity(ctx, "shakes")) {
      return;
    }
    // Admission: the backend's budget. At level 3 the budget is halved (sampled harder).
    if (admission.take(System.nanoTime()) > 0 || (LoadLevel.sampleHarder(level) && (StableHash.of(key) & 1) == 0)) {
      local(ctx, req, userId, setId, OutcomeCode.NOT_LUCKY, "sampled out at the edge", "sampled_out", t0);
      return;
    }
    forward(ctx, req, userId, setId, now, key, t0);
  }

  private void forward(RoutingContext ctx, ShakeRequest req, String userId, int setId, long now, String key, long t0) {
    Shake shake = new Shake(req.shakeId(), userId, req.poolId(), setId, now, req.device());
    forwardAndAwait(ctx, "shakes", "shake", Records.shake(shakesTopic, shake), outcomes.await(key),
        () -> outcomes.forget(key),
        () -> metrics.answers.labelValues("forwarded", "admitted").inc(),
        outcome -> answer(ctx, outcome, false, "backend", t0),
        () -> {
          metrics.latency.labelValues("shakes", "accepted").observe((System.nanoTime() - t0) / 1e9);
          json(ctx, "shakes", 202, new JsonObject().put("shakeId", req.shakeId()).put("status", "accepted")
              .put("poll", "/v1/shakes/" + req.shakeId() + "?poolId=" + req.poolId()));
        });
  }

  /**
   * The forwarded path of shakes and opens: sends the record, and once Kafka acknowledged it waits
   * up to the outcome wait for its answer. Exactly one of {@code answered}, {@code accepted} (the
   * wait ran out: {@code 202}) or a {@code 503} (Kafka did not take it) follows, on the request's
   * own event loop whichever thread Kafka calls back on. {@code answer} is registered before the
   * send, so an answer cannot slip by; {@code forget} drops it when no one will wait any more.
   */
  private <A> void forwardAndAwait(RoutingContext ctx, String route, String what, ProducerRecord<byte[], byte[]> record,
      CompletableFuture<A> answer, Runnable forget, Runnable acked, java.util.function.Consumer<A> answered,
      Runnable accepted) {
    io.vertx.core.Context context = vertx.getOrCreateContext();
    inFlight.incrementAndGet();
    long sentAt = System.nanoTime();
    try {
      producer.send(record, (meta, e) -> context.runOnContext(v -> {
        load.ackLatency((System.nanoTime() - sentAt) / 1e6);
        if (e != null) {
          inFlight.decrementAndGet();
          forget.run();
          unavailable(ctx, route, "the " + what + " was not accepted");
          return;
        }
        acked.run();
        Future.fromCompletionStage(answer.orTimeout(config.outcomeWait().toMillis(), TimeUnit.MILLISECONDS), context)
            .onComplete(r -> {
              inFlight.decrementAndGet();
              if (r.succeeded()) {
                answered.accept(r.result());
              } else {
                forget.run();
                accepted.run();
              }
            });
      }));
    } catch (RuntimeException e) { // metadata unavailable within max.block.ms, buffer full, closed
      inFlight.decrementAndGet();
      forget.run();
      unavailable(ctx, route, "the " + what + " was not accepted");
    }
  }

  /** At {@code --max-in-flight} forwarded requests: {@code 429} rather than a queue without end. */
  private boolean atCapacity(RoutingContext ctx, String route) {
    if (inFlight.get() < config.maxInFlight()) {
      return false;
    }
    metrics.answers.labelValues("shed", "overload").inc();
    ctx.response().putHeader("Retry-After", "1");
    error(ctx, route, 429, "overloaded", "the service is at capacity; retry after 1 s");
    return true;
  }

  /** {@code 503}: Kafka did not take what the request carried, so nothing was accepted. */
  private void unavailable(RoutingContext ctx, String route, String notAccepted) {
    metrics.answers.labelValues("shed", "kafka_unavailable").inc();
    ctx.response().putHeader("Retry-After", "2");
    error(ctx, route, 503, "backend_unavailable", notAccepted + " (Kafka unavailable); retry after 2 s");
  }

  /** The current {@link LoadLevel}, also published as a metric. */
  int loadLevel() {
    int level = load.level(inFlight.get());
    metrics.loadLevel.set(level);
    metrics.kafkaAck.set(load.ackMillis() / 1000);
    metrics.loopDelay.set(load.loopDelayMillis() / 1000);
    metrics.inFlight.set(inFlight.get());
    return level;
  }

  private void local(RoutingContext ctx, ShakeRequest req, String userId, int setId, OutcomeCode code, String reason,
      String metric, long t0) {
    ShakeOutcome o = new ShakeOutcome(req.shakeId(), userId, req.poolId(), setId, code, null, null, reason, false,
        System.currentTimeMillis());
    // Not cached: a retry meets the same pool, window and status and gets the same answer.
    metrics.answers.labelValues("local", metric).inc();
    answer(ctx, o, false, "edge", t0);
  }

  private void answer(RoutingContext ctx, ShakeOutcome o, boolean retry, String by, long t0) {
    metrics.latency.labelValues("shakes", by).observe((System.nanoTime() - t0) / 1e9);
    json(ctx, "shakes", 200, outcomeJson(o, retry).put("answeredBy", by));
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
    String userId;
    try {
      userId = user(ctx);
    } catch (Tokens.InvalidTokenException e) {
      error(ctx, "shake", 401, "unauthorized", e.getMessage());
      return;
    }
    String poolId = ctx.request().getParam("poolId");
    String shakeId = ctx.pathParam("shakeId");
    if (poolId == null || poolId.length() > 128 || shakeId.length() > 128) {
      error(ctx, "shake", 400, "missing_field", "ask for /v1/shakes/{shakeId}?poolId={poolId}");
      return;
    }
    ShakeOutcome o = outcomes.known(OutcomeBoard.key(poolId, userId, shakeId));
    if (o == null) {
      error(ctx, "shake", 404, "not_known", "no outcome known for this shake yet; poll again shortly");
      return;
    }
    json(ctx, "shake", 200, outcomeJson(o, false));
  }

  private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:/@-]{1,128}");

  private void openGrant(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String userId;
    try {
      userId = user(ctx);
    } catch (Tokens.InvalidTokenException e) {
      error(ctx, "open", 401, "unauthorized", e.getMessage());
      return;
    }
    String grantId = ctx.pathParam("grantId");
    String openId = idempotentRequest(ctx, "open", grantId, "grant");
    if (openId == null) {
      return;
    }
    String key = SettlementBoard.openKey(userId, openId);
    OpenResult known = settlement.knownResult(key);
    if (known != null) { // a client retry: the same answer again
      openAnswer(ctx, known, "known", t0);
      return;
    }
    if (LoadLevel.shed(LoadLevel.Kind.OPEN, loadLevel())) {
      metrics.answers.labelValues("shed", "open_load").inc();
      ctx.response().putHeader("Retry-After", "2");
      error(ctx, "open", 429, "overloaded", "opening is paused while the service is under load; your packet is safe,"
          + " retry after 2 s");
      return;
    }
    long now = System.currentTimeMillis();
    GrantState state = settlement.grant(grantId);
    if (state != null && !state.getUserId().equals(userId)) {
      openAnswer(ctx, new OpenResult(openId, grantId, userId, OpenCode.NOT_OWNER,
          null, now), "edge", t0);
      return;
    }
    if (state != null && state.getState() == GrantPhase.EXPIRED) {
      openAnswer(ctx, new OpenResult(openId, grantId, userId, OpenCode.EXPIRED,
          null, now), "edge", t0);
      return;
    }
    if (atCapacity(ctx, "open")) {
      return;
    }
    Open open = new Open(openId, grantId, userId, now);
    forwardAndAwait(ctx, "open", "open", Records.open(opensTopic, open), settlement.await(key),
        () -> settlement.forget(key),
        () -> {
          openAccepted.put(grantId, Boolean.TRUE);
          metrics.answers.labelValues("forwarded", "open").inc();
        },
        result -> openAnswer(ctx, result, "backend", t0),
        () -> json(ctx, "open", 202, new JsonObject().put("grantId", grantId).put("openId", openId)
            .put("status", "accepted").put("poll", "/v1/grants/" + segment(grantId))));
  }

  /**
   * Checks what every idempotent POST carries (an id in the path, an Idempotency-Key header, no
   * body fields) and answers 400 when something is wrong. Returns the key, or null once answered.
   */
  private String idempotentRequest(RoutingContext ctx, String route, String id, String what) {
    String key = ctx.request().getHeader("Idempotency-Key");
    if (id == null || !ID.matcher(id).matches()) {
      error(ctx, route, 400, "invalid_field", "the " + what + " id must be 1 to 128 of A-Z a-z 0-9 . _ : / @ -");
      return null;
    }
    if (key == null || !ID.matcher(key).matches()) {
      error(ctx, route, 400, "missing_idempotency_key",
          "send an Idempotency-Key header (1 to 128 of A-Z a-z 0-9 . _ : / @ -) and the same one when retrying");
      return null;
    }
    if (ctx.body().length() > 0) {
      try {
        JsonObject body = ShakeRequest.object(ctx.body().buffer());
        if (!body.isEmpty()) {
          error(ctx, route, 400, "unknown_field", "this request takes no body fields; the " + what + " id is in the path");
          return null;
        }
      } catch (ShakeRequest.BadRequest e) {
        error(ctx, route, 400, e.code, e.getMessage());
        return null;
      }
    }
    return key;
  }

  /** Sharing is the first thing shed: {@code 429} with a Retry-After, and the client tries again later. */
  private boolean shedSharing(RoutingContext ctx, String route) {
    if (!LoadLevel.shed(LoadLevel.Kind.SHARE, loadLevel())) {
      return false;
    }
    metrics.answers.labelValues("shed", route + "_load").inc();
    ctx.response().putHeader("Retry-After", String.valueOf(SHARE_RETRY_AFTER_SECONDS));
    error(ctx, route, 429, "overloaded", "sharing is paused while the service is under load; nothing is lost,"
        + " retry after " + SHARE_RETRY_AFTER_SECONDS + " s");
    return true;
  }

  static final int SHARE_RETRY_AFTER_SECONDS = 3;

  /** {@code POST /v1/grants/{grantId}/share}: the owner of an opened grant shares its group packet, once. */
  private void shareGrant(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String userId;
    try {
      userId = user(ctx);
    } catch (Tokens.InvalidTokenException e) {
      error(ctx, "share", 401, "unauthorized", e.getMessage());
      return;
    }
    String grantId = ctx.pathParam("grantId");
    String requestId = idempotentRequest(ctx, "share", grantId, "grant");
    if (requestId == null) {
      return;
    }
    String key = ShareBoard.key(ShareAction.SHARE, grantId, userId, requestId);
    ShareResult known = sharing.knownResult(key);
    if (known != null) {
      shareAnswer(ctx, known, "known", t0);
      return;
    }
    if (shedSharing(ctx, "share")) {
      return;
    }
    long now = System.currentTimeMillis();
    ShareRequest request = new ShareRequest(requestId, grantId, userId, ShareAction.SHARE, now);
    ShareState share = sharing.share(grantId);
    GrantState grant = settlement.grant(grantId);
    Sharing.Step local = null;
    if (share != null) {
      local = Sharing.share(grant, share, request, 0);
    } else if (grant != null && (!grant.getUserId().equals(userId) || grant.getShareCents() <= 0
        || grant.getState() == GrantPhase.EXPIRED
        || (grant.getState() == GrantPhase.GRANTED && openAccepted.getIfPresent(grantId) == null))) {
      local = Sharing.share(grant, null, request, 0); // refused here: not theirs, nothing to share, or not opened
    }
    if (local != null) {
      shareAnswer(ctx, local.result(), "edge", t0);
      return;
    }
    if (atCapacity(ctx, "share")) {
      return;
    }
    forwardAndAwait(ctx, "share", "share", Records.shareRequest(sharesTopic, request), sharing.await(key),
        () -> sharing.forget(key), () -> metrics.answers.labelValues("forwarded", "share").inc(),
        result -> shareAnswer(ctx, result, "backend", t0),
        () -> json(ctx, "share", 202, new JsonObject().put("shareId", grantId).put("requestId", requestId)
            .put("status", "accepted").put("poll", "/v1/shares/" + segment(grantId))
            .put("hint", "send the same request with the same Idempotency-Key for its answer")));
  }

  /** {@code POST /v1/shares/{shareId}/claim}: a friend claims one piece. */
  private void claimShare(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String userId;
    try {
      userId = user(ctx);
    } catch (Tokens.InvalidTokenException e) {
      error(ctx, "claim", 401, "unauthorized", e.getMessage());
      return;
    }
    String shareId = ctx.pathParam("shareId");
    String requestId = idempotentRequest(ctx, "claim", shareId, "share");
    if (requestId == null) {
      return;
    }
    String key = ShareBoard.key(ShareAction.CLAIM, shareId, userId, requestId);
    ShareResult known = sharing.knownResult(key);
    if (known != null) {
      shareAnswer(ctx, known, "known", t0);
      return;
    }
    if (shedSharing(ctx, "claim")) {
      return;
    }
    ShareRequest request = new ShareRequest(requestId, shareId, userId, ShareAction.CLAIM, System.currentTimeMillis());
    ShareState share = sharing.share(shareId);
    if (share != null) { // the sharer, a friend who holds a piece, a share all claimed or expired: answered here
      Sharing.Step step = Sharing.claim(share, request);
      if (step.move() == null) {
        shareAnswer(ctx, step.result(), "edge", t0);
        return;
      }
    }
    if (atCapacity(ctx, "claim")) {
      return;
    }
    forwardAndAwait(ctx, "claim", "claim", Records.shareRequest(claimsTopic, request), sharing.await(key),
        () -> sharing.forget(key), () -> metrics.answers.labelValues("forwarded", "claim").inc(),
        result -> shareAnswer(ctx, result, "backend", t0),
        () -> json(ctx, "claim", 202, new JsonObject().put("shareId", shareId).put("requestId", requestId)
            .put("status", "accepted").put("poll", "/v1/shares/" + segment(shareId))
            .put("hint", "send the same request with the same Idempotency-Key for its answer")));
  }

  private void shareAnswer(RoutingContext ctx, ShareResult r, String by, long t0) {
    int status = switch (r.getResult()) {
      case SHARED, ALREADY_SHARED, CLAIMED, ALREADY_CLAIMED -> 200;
      case NOT_OWNER, OWN_SHARE -> 403;
      case NOT_OPENED, NO_ALLOWANCE -> 409;
      case ALL_CLAIMED, EXPIRED -> 410;
      case UNKNOWN_SHARE -> 404;
    };
    String route = r.getAction() == ShareAction.SHARE ? "share" : "claim";
    if (!by.equals("backend")) {
      metrics.answers.labelValues("local", route + "_" + r.getResult().name().toLowerCase(java.util.Locale.ROOT)).inc();
    }
    metrics.latency.labelValues(route, by).observe((System.nanoTime() - t0) / 1e9);
    JsonObject body = new JsonObject().put("shareId", r.getShareId()).put("requestId", r.getRequestId())
        .put("result", r.getResult().toString()).put("answeredBy", by).put("message", shareMessage(r));
    if (r.getCents() != null) {
      body.put("cents", r.getCents()).put("amount", Table.money(r.getCents()));
    }
    if (r.getPiece() != null) {
      body.put("piece", r.getPiece());
    }
    json(ctx, route, status, body);
  }

  /** Ids hold slashes (pool/set/sequence): in a URL they are one percent-encoded path segment. */
  private static String segment(String id) {
    return java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String shareMessage(ShareResult r) {
    return switch (r.getResult()) {
      case SHARED -> "shared: friends can claim at /v1/shares/" + segment(r.getShareId()) + "/claim";
      case ALREADY_SHARED -> "this packet was already shared; friends claim at /v1/shares/" + segment(r.getShareId())
          + "/claim";
      case NOT_OWNER -> "only the packet's owner can share it";
      case NOT_OPENED -> "open the packet first (POST /v1/grants/" + segment(r.getShareId()) + "/open), then share it";
      case NO_ALLOWANCE -> "this packet's pool has no group packet to share";
      case CLAIMED -> "claimed: the piece is credited to your wallet";
      case ALREADY_CLAIMED -> "you already hold a piece of this share: one piece per friend";
      case OWN_SHARE -> "the sharer cannot claim their own share";
      case ALL_CLAIMED -> "every piece is claimed; better luck with the next one";
      case EXPIRED -> "this share has expired; what was left went back to the sponsor";
      case UNKNOWN_SHARE -> "no such share; check the link";
    };
  }

  /** {@code GET /v1/shares/{shareId}}: who claimed which piece, and what is left; for any signed-in user. */
  private void getShare(RoutingContext ctx) {
    try {
      user(ctx);
    } catch (Tokens.InvalidTokenException e) {
      error(ctx, "share_status", 401, "unauthorized", e.getMessage());
      return;
    }
    String shareId = ctx.pathParam("shareId");
    ShareState s = shareId == null || !ID.matcher(shareId).matches() ? null : sharing.share(shareId);
    if (s == null) {
      error(ctx, "share_status", 404, "not_known", "no share with this id is known yet; poll again shortly");
      return;
    }
    io.vertx.core.json.JsonArray claims = new io.vertx.core.json.JsonArray();
    for (ShareClaimed c : s.getClaims()) {
      claims.add(new JsonObject().put("piece", c.getPiece()).put("userId", c.getUserId()).put("cents", c.getCents())
          .put("amount", Table.money(c.getCents())));
    }
    long left = s.getValueCents() - s.getClaimedCents() - s.getRefundedCents();
    json(ctx, "share_status", 200, new JsonObject().put("shareId", s.getShareId()).put("poolId", s.getPoolId())
        .put("sharer", s.getSharer()).put("state", s.getPhase().toString())
        .put("valueCents", s.getValueCents()).put("value", Table.money(s.getValueCents()))
        .put("pieces", s.getPieces()).put("claimedPieces", s.getClaims().size())
        .put("piecesLeft", s.getPhase() == SharePhase.OPEN ? s.getPieces() - s.getClaims().size() : 0)
        .put("claimedCents", s.getClaimedCents()).put("refundedCents", s.getRefundedCents())
        .put("centsLeft", left).put("expiresMillis", s.getExpiresMillis()).put("claims", claims));
  }

  private void openAnswer(RoutingContext ctx, OpenResult r, String by, long t0) {
    int status = switch (r.getResult()) {
      case OPENED, ALREADY_OPENED -> 200;
      case NOT_OWNER -> 403;
      case EXPIRED -> 410;
      case UNKNOWN_GRANT -> 404;
    };
    if (!by.equals("backend")) {
      metrics.answers.labelValues("local", "open_" + r.getResult().name().toLowerCase(java.util.Locale.ROOT)).inc();
    }
    metrics.latency.labelValues("open", by).observe((System.nanoTime() - t0) / 1e9);
    JsonObject body = new JsonObject().put("grantId", r.getGrantId()).put("openId", r.getOpenId())
        .put("result", r.getResult().toString()).put("answeredBy", by);
    if (r.getCents() != null) {
      body.put("cents", r.getCents()).put("amount", Table.money(r.getCents()));
    }
    json(ctx, "open", status, body);
  }

  private void getGrant(RoutingContext ctx) {
    String userId;
    try {
      userId = user(ctx);
    } catch (Tokens.InvalidTokenException e) {
      error(ctx, "grant", 401, "unauthorized", e.getMessage());
      return;
    }
    String grantId = ctx.pathParam("grantId");
    GrantState s = grantId == null || !ID.matcher(grantId).matches() ? null : settlement.grant(grantId);
    if (s == null || !s.getUserId().equals(userId)) { // someone else's grant looks like no grant at all
      error(ctx, "grant", 404, "not_known", "no grant of yours with this id is known yet; poll again shortly");
      return;
    }
    String state = s.getState() == GrantPhase.GRANTED && openAccepted.getIfPresent(grantId) != null
        ? "OPENED" : s.getState().toString();
    JsonObject body = new JsonObject().put("grantId", s.getGrantId()).put("poolId", s.getPoolId())
        .put("cents", s.getCents()).put("amount", Table.money(s.getCents())).put("state", state);
    if (s.getOpenId() != null) {
      body.put("openId", s.getOpenId());
    }
    json(ctx, "grant", 200, body);
  }

  private void createPool(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !java.security.MessageDigest.isEqual(("Bearer " + config.adminToken()).getBytes(),
        header.getBytes())) {
      error(ctx, "admin_pools", 401, "unauthorized", "admin endpoints need Authorization: Bearer <admin token>");
      return;
    }
    PoolDefinition pool;
    try {
      pool = poolFrom(ShakeRequest.object(ctx.body().buffer()));
    } catch (ShakeRequest.BadRequest e) {
      error(ctx, "admin_pools", 400, e.code, e.getMessage());
      return;
    }
    vertx.executeBlocking(() -> {
      PoolWriter.create(config.bootstrap(), Topics.named(config.topicPrefix(), Topics.POOLS), pool);
      return pool;
    }).onComplete(r -> {
      if (r.succeeded()) {
        json(ctx, "admin_pools", 201, new JsonObject().put("poolId", pool.getPoolId()).put("status", "created"));
      } else if (r.cause() instanceof PoolWriter.RefusedException e) {
        error(ctx, "admin_pools", 422, "invalid_pool", e.getMessage());
      } else {
        unavailable(ctx, "admin_pools", "the pool was not written: " + r.cause().getMessage());
      }
    });
  }

  static PoolDefinition poolFrom(JsonObject j) {
    java.util.Set<String> allowed = java.util.Set.of("poolId", "sponsor", "totalCents", "totalCount", "sets",
        "minCents", "maxCents", "startMillis", "endMillis", "splitMode", "perUserLimit", "pacing", "shareCents", "sharePieces");
    for (String f : j.fieldNames()) {
      if (!allowed.contains(f)) {
        throw new ShakeRequest.BadRequest("unknown_field", "unknown field '" + ShakeRequest.clip(f) + "'; allowed: " + allowed);
      }
    }
    try {
      return PoolDefinition.newBuilder().setPoolId(str(j, "poolId")).setSponsor(str(j, "sponsor"))
          .setTotalCents(num(j, "totalCents")).setTotalCount((int) Math.min(Integer.MAX_VALUE, num(j, "totalCount")))
          .setSets((int) Math.min(Integer.MAX_VALUE, num(j, "sets"))).setMinCents(num(j, "minCents"))
          .setMaxCents(num(j, "maxCents")).setStartMillis(num(j, "startMillis")).setEndMillis(num(j, "endMillis"))
          .setSplitMode(SplitMode.valueOf(str(j, "splitMode")))
          .setPerUserLimit((int) Math.min(Integer.MAX_VALUE, num(j, "perUserLimit")))
          .setPacing(Boolean.TRUE.equals(j.getValue("pacing"))).setCreatedMillis(System.currentTimeMillis())
          .setShareCents(j.containsKey("shareCents") ? num(j, "shareCents") : 0L)
          .setSharePieces(j.containsKey("sharePieces") ? (int) Math.max(-1, Math.min(Integer.MAX_VALUE, num(j, "sharePieces"))) : 0)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ShakeRequest.BadRequest("invalid_field", "splitMode must be LUCKY or FIXED");
    }
  }

  private static String str(JsonObject j, String f) {
    if (!(j.getValue(f) instanceof String s)) {
      throw new ShakeRequest.BadRequest("wrong_type", "'" + f + "' must be a string");
    }
    return s;
  }

  private static long num(JsonObject j, String f) {
    Object v = j.getValue(f);
    if (!(v instanceof Integer || v instanceof Long)) {
      throw new ShakeRequest.BadRequest("wrong_type", "'" + f + "' must be a whole number");
    }
    return ((Number) v).longValue();
  }

  private void ready(RoutingContext ctx) {
    boolean poolsLoaded = pools.ready();
    boolean grantsLoaded = settlement.ready();
    boolean sharesLoaded = sharing.ready();
    boolean kafka = outcomes.ready() && poolsLoaded && grantsLoaded && sharesLoaded;
    JsonObject body = new JsonObject().put("poolsLoaded", poolsLoaded).put("grantsLoaded", grantsLoaded)
        .put("sharesLoaded", sharesLoaded).put("kafka", kafka);
    json(ctx, "ready", kafka ? 200 : 503, body.put("status", kafka ? "ready" : "not ready"));
  }

  private void error(RoutingContext ctx, String route, int status, String code, String message) {
    json(ctx, route, status, new JsonObject().put("code", code).put("message", message));
  }

  private void json(RoutingContext ctx, String route, int status, JsonObject body) {
    metrics.requests.labelValues(route, String.valueOf(status)).inc();
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
  }

  @Override
  public void close() {
    try {
      if (server != null) {
        server.close().await(10, TimeUnit.SECONDS);
      }
    } catch (TimeoutException | RuntimeException ignored) {
      // closing anyway
    }
    producer.close(Duration.ofSeconds(5));
    pools.close();
    outcomes.close();
    settlement.close();
    sharing.close();
    vertx.close();
  }
}
