package io.redpacket.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The access layer: a thin HTTP service in front of Kafka. It answers what it can itself and
 * forwards the rest, answering with the job's decision; a {@code 2xx} that says accepted is sent
 * only after Kafka acknowledged the request. This class wires the parts: the boards that read
 * what the jobs decided, the {@link Forwarder}, and one class of routes per resource.
 */
public final class IngestServer implements AutoCloseable {
  private final IngestConfig config;
  private final Vertx vertx = Vertx.vertx();
  private final IngestMetrics metrics = new IngestMetrics();
  private final Replies replies = new Replies(metrics);
  private final PoolView pools;
  private final OutcomeBoard outcomes;
  private final SettlementBoard settlement;
  private final ShareBoard sharing;
  private final Forwarder forwarder;
  private HttpServer server;

  private IngestServer(IngestConfig config) {
    this.config = config;
    this.pools = new PoolView(config.bootstrap(), config.topicPrefix());
    this.outcomes = new OutcomeBoard(config.bootstrap(), config.topicPrefix());
    this.settlement = new SettlementBoard(config.bootstrap(), config.topicPrefix());
    this.sharing = new ShareBoard(config.bootstrap(), config.topicPrefix());
    this.forwarder = new Forwarder(vertx, config, metrics, replies);
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
    Authentication auth = new Authentication(config.tokenSecret(), config.adminToken(), replies);
    new ShakeRoutes(config, pools, outcomes, forwarder, replies).mount(router, auth);
    new AdminRoutes(vertx, config, forwarder, replies).mount(router, auth);
    new GrantRoutes(config, settlement, forwarder, replies).mount(router, auth);
    new ShareRoutes(config, settlement, sharing, forwarder, replies).mount(router, auth);
    new HealthRoutes(pools, outcomes, settlement, sharing, forwarder, metrics, replies).mount(router);
    router.errorHandler(404, ctx -> replies.error(ctx, "unknown", 404, "not_found",
        "no such route; the endpoints are in docs/http-api.md"));
    router.errorHandler(405, ctx -> replies.error(ctx, "unknown", 405, "method_not_allowed",
        "this route does not take " + ctx.request().method()));
    router.errorHandler(413, ctx -> replies.error(ctx, "unknown", 413, "body_too_large",
        "the body is over " + config.maxBodyBytes() + " bytes"));
    router.errorHandler(400, ctx -> replies.error(ctx, "unknown", 400, "bad_request", "the request could not be read"));
    router.errorHandler(500, ctx -> replies.error(ctx, "unknown", 500, "internal",
        "internal error; the request may be retried"));
    HttpServerOptions options = new HttpServerOptions().setPort(config.port()).setHost("0.0.0.0")
        .setMaxHeaderSize(8192).setMaxInitialLineLength(4096).setIdleTimeout(60).setIdleTimeoutUnit(TimeUnit.SECONDS);
    server = listen(options, router);
    forwarder.watchEventLoop();
  }

  private HttpServer listen(HttpServerOptions options, Router router) throws Exception {
    CompletableFuture<HttpServer> listening = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> vertx.createHttpServer(options).requestHandler(router).listen()
        .onComplete(r -> {
          if (r.succeeded()) {
            listening.complete(r.result());
          } else {
            listening.completeExceptionally(r.cause());
          }
        }));
    return listening.get(30, TimeUnit.SECONDS);
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
    forwarder.close();
    pools.close();
    outcomes.close();
    settlement.close();
    sharing.close();
    vertx.close();
  }
}
