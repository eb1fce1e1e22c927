package io.redpacket.ingest;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.TimeUnit;

/**
 * The access layer: a thin HTTP service in front of Kafka. It answers what it can itself and
 * forwards the rest, answering with the job's decision; a {@code 2xx} that says accepted is sent
 * only after Kafka acknowledged the request. This class wires the parts: the boards that read
 * what the jobs decided, the {@link Forwarder}, and one class of routes per resource.
 *
 * <p>It serves on {@link IngestConfig#eventLoops()} event loops: as many HTTP servers on one port,
 * one per loop, which Vert.x hands new connections to in turn. What they share is one Kafka
 * producer and thread-safe state: the pool view, the answer boards, the admission budget and the
 * per-user limits (the route objects are built once and mounted on every loop's router).
 */
public final class IngestServer implements AutoCloseable {
  private final IngestConfig config;
  private final Vertx vertx;
  private final IngestMetrics metrics = new IngestMetrics();
  private final Replies replies = new Replies(metrics);
  private final PoolView pools;
  private final OutcomeBoard outcomes;
  private final SettlementBoard settlement;
  private final ShareBoard sharing;
  private final Backends backends;
  private final Forwarder forwarder;
  private final Authentication auth;
  private final UserLimits limits;
  private final ShakeRoutes shakes;
  private final AdminRoutes admin;
  private final GrantRoutes grants;
  private final ShareRoutes shares;
  private final HealthRoutes health;
  private final CacheBudget caches;
  private final ConnectionGuard guard;
  private volatile int port;
  private volatile int adminPort = -1;

  private IngestServer(IngestConfig config) {
    this.config = config;
    // One event loop per server, plus none spare: the HTTP servers are the loops' only steady work.
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(config.eventLoops()));
    this.caches = new CacheBudget(config.bounds().cacheBytes());
    caches.register(metrics);
    this.guard = new ConnectionGuard(config.bounds(), metrics);
    this.pools = new PoolView(config.bootstrap(), config.topicPrefix());
    this.outcomes = new OutcomeBoard(config.bootstrap(), config.topicPrefix(), caches);
    this.settlement = new SettlementBoard(config.bootstrap(), config.topicPrefix(), caches);
    this.sharing = new ShareBoard(config.bootstrap(), config.topicPrefix(), caches);
    this.backends = new Backends(outcomes.signal(), settlement.signal(), sharing.signal());
    this.forwarder = new Forwarder(vertx, config, metrics, replies, backends);
    this.auth = new Authentication(config.tokenSecret(), config.adminToken(), replies);
    this.limits = new UserLimits(replies, caches);
    this.shakes = new ShakeRoutes(config, pools, outcomes, forwarder, replies, caches);
    this.admin = new AdminRoutes(vertx, config, forwarder, replies);
    FirstAsked asked = new FirstAsked(caches);
    this.grants = new GrantRoutes(config, pools, settlement, forwarder, replies, asked, metrics);
    this.shares = new ShareRoutes(config, settlement, sharing, forwarder, replies);
    this.health = new HealthRoutes(pools, outcomes, settlement, sharing, backends, forwarder, metrics,
        replies);
  }

  /** Starts the service and returns once every event loop listens. */
  public static IngestServer start(IngestConfig config) throws Exception {
    IngestServer s = new IngestServer(config);
    try {
      s.listen();
    } catch (Exception | Error e) {
      s.close();
      throw e;
    }
    return s;
  }

  public int port() {
    return port;
  }

  /** The address the server is bound to, as given: {@code 127.0.0.1}, {@code 0.0.0.0} (every interface) ... */
  public String host() {
    return config.host();
  }

  /** Connections open now, over every event loop. */
  public int openConnections() {
    return guard.open();
  }

  public int eventLoops() {
    return config.eventLoops();
  }

  /** Where it listens, for the start-up line: {@code http://127.0.0.1:8080}. */
  public String address() {
    String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return "http://" + h + ":" + port;
  }

  private void listen() throws Exception {
    forwarder.eventLoops(config.eventLoops());
    // Port 0 (any free port): Vert.x's negative port, a random port shared by every server given the same value.
    int listenPort = config.port() == 0 ? -1 : config.port();
    vertx.deployVerticle(() -> new Loop(listenPort), new DeploymentOptions().setInstances(config.eventLoops()))
        .await(30, TimeUnit.SECONDS);
    int admin = config.bounds().adminPort();
    if (admin >= 0) {
      adminPort = vertx.createHttpServer(new HttpServerOptions().setPort(admin).setHost(config.host())
              .setHttp2ClearTextEnabled(false).setMaxHeaderSize(8192).setIdleTimeout(60)
              .setIdleTimeoutUnit(TimeUnit.SECONDS))
          .requestHandler(adminRouter()).listen().await(30, TimeUnit.SECONDS).actualPort();
    }
  }

  /** The port of {@code /metrics} and the admin routes when they have their own, else -1. */
  public int adminPort() {
    return adminPort;
  }

  /** One event loop's server: its own router over the shared routes. */
  private final class Loop extends VerticleBase {
    private final int listenPort;

    Loop(int listenPort) {
      this.listenPort = listenPort;
    }

    @Override
    public Future<?> start() {
      forwarder.watchEventLoop(context);
      // HTTP/1.1 only: with cleartext HTTP/2 on, Vert.x sniffs a connection's first bytes before making it a
      // connection, so one that trickles them would escape the connection cap and the header deadline.
      HttpServerOptions options = new HttpServerOptions().setPort(listenPort).setHost(config.host())
          .setHttp2ClearTextEnabled(false).setMaxHeaderSize(8192).setMaxInitialLineLength(4096).setIdleTimeout(60).setIdleTimeoutUnit(TimeUnit.SECONDS);
      String loop = Thread.currentThread().getName();
      var connections = metrics.connections.labelValues(loop);
      ConnectionGuard.Loop guarded = guard.new Loop(vertx);
      return vertx.createHttpServer(options).connectionHandler(guarded.onConnection(c -> connections.inc()))
          .requestHandler(guarded.onRequest(router()))
          .listen().onSuccess(s -> {
            if (port == 0) {
              port = s.actualPort();
            }
          });
    }
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
    shakes.mount(router, auth, limits);
    grants.mount(router, auth, limits);
    shares.mount(router, auth, limits);
    health.mountHealth(router);
    if (config.bounds().adminPort() < 0) {
      admin.mount(router, auth);
      health.mountMetrics(router);
    }
    return errors(router);
  }

  /** The operators' port, when asked for: the admin routes, {@code /metrics} and health. */
  private Router adminRouter() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
    admin.mount(router, auth);
    health.mountMetrics(router);
    health.mountHealth(router);
    return errors(router);
  }

  private Router errors(Router router) {
    router.errorHandler(404, ctx -> replies.error(ctx, "unknown", 404, "not_found",
        "no such route; the endpoints are in docs/http-api.md"));
    router.errorHandler(405, ctx -> replies.error(ctx, "unknown", 405, "method_not_allowed",
        "this route does not take " + ctx.request().method()));
    router.errorHandler(413, ctx -> replies.error(ctx, "unknown", 413, "body_too_large",
        "the body is over " + config.maxBodyBytes() + " bytes"));
    router.errorHandler(400, ctx -> replies.error(ctx, "unknown", 400, "bad_request", "the request could not be read"));
    router.errorHandler(500, ctx -> replies.error(ctx, "unknown", 500, "internal",
        "internal error; the request may be retried"));
    return router;
  }

  /** The client policy is at least {@code level} from the next 50 ms sample on (0: the load alone decides). */
  public void clientPolicyFloor(int level) {
    forwarder.policyFloor(Math.max(0, Math.min(io.redpacket.core.ClientPolicy.LEVELS - 1, level)));
  }

  /**
   * The load level now and what it goes by: {@code level}, {@code shedLevel} (the backend's signals
   * only, which shed opens and shares), {@code setBy} (the signals at that level,
   * comma-separated), {@code inFlight} of {@code maxInFlight},
   * {@code kafkaAckMs} and {@code eventLoopDelayMs} (smoothed), {@code backendSilent}.
   */
  public io.vertx.core.json.JsonObject loadSignals() {
    return forwarder.loadSignals();
  }

  /** The client policy in force, as on every answer. */
  public io.redpacket.core.ClientPolicy clientPolicy() {
    return replies.policy();
  }

  /**
   * The edge's funnel of shakes so far, from its own counters: received, answered at the edge by
   * reason, forwarded to Kafka, shed ({@code 429}/{@code 503}); the client policy in force, and the
   * load level with the signals it goes by ({@link #loadSignals}).
   */
  public io.vertx.core.json.JsonObject edge() {
    long received = 0;
    long shed = 0;
    for (var d : metrics.requests.collect().getDataPoints()) {
      if ("shakes".equals(d.getLabels().get("route"))) {
        long n = (long) d.getValue();
        received += n;
        String status = d.getLabels().get("status");
        shed += "429".equals(status) || "503".equals(status) ? n : 0;
      }
    }
    io.vertx.core.json.JsonObject local = new io.vertx.core.json.JsonObject();
    long atEdge = 0;
    long forwarded = 0;
    for (var d : metrics.answers.collect().getDataPoints()) {
      String path = d.getLabels().get("path");
      String reason = d.getLabels().get("reason");
      long n = (long) d.getValue();
      if ("local".equals(path) && ShakeRoutes.LOCAL_REASONS.contains(reason)) {
        local.put(reason, n);
        atEdge += n;
      } else if ("forwarded".equals(path) && "admitted".equals(reason)) {
        forwarded += n;
      }
    }
    return new io.vertx.core.json.JsonObject().put("received", received).put("answeredAtEdge", atEdge)
        .put("atEdgeByReason", local).put("forwarded", forwarded).put("shed", shed)
        .put("policy", HealthRoutes.policyJson(replies.policy())).put("load", forwarder.loadSignals());
  }

  @Override
  public void close() {
    try {
      // Undeploying closes every loop's server.
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
    forwarder.close();
    pools.close();
    outcomes.close();
    settlement.close();
    sharing.close();
  }
}
