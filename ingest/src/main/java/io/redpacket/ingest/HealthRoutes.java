package io.redpacket.ingest;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /health/live}, {@code /health/ready} (every board has read what it needs, the producer knows its topics) and
 * {@code /metrics}.
 *
 * <p>Readiness also shows whether each job answers ({@link Backends}), but a silent job does not make the
 * instance unready: it still takes requests (Kafka keeps them; clients get {@code 202} and a poll URL), and
 * every instance waits on the same jobs, so taking instances out of a load balancer would help no one.
 */
final class HealthRoutes {
  private final PoolView pools;
  private final OutcomeBoard outcomes;
  private final SettlementBoard settlement;
  private final ShareBoard sharing;
  private final Backends backends;
  private final Forwarder forwarder;
  private final IngestMetrics metrics;
  private final Replies replies;

  HealthRoutes(PoolView pools, OutcomeBoard outcomes, SettlementBoard settlement, ShareBoard sharing,
      Backends backends, Forwarder forwarder, IngestMetrics metrics, Replies replies) {
    this.backends = backends;
    this.forwarder = forwarder;
    this.pools = pools;
    this.outcomes = outcomes;
    this.settlement = settlement;
    this.sharing = sharing;
    this.metrics = metrics;
    this.replies = replies;
  }

  /** Liveness and readiness: on every port, since load balancers probe the one they send traffic to. */
  void mountHealth(Router router) {
    router.get("/health/live").handler(ctx -> replies.json(ctx, "live", 200, new JsonObject().put("status", "live")));
    router.get("/health/ready").handler(this::ready);
    // Public guidance, not load: no token, no forwarding, nothing counted towards the load level.
    router.get("/v1/client-policy").handler(ctx -> {
      ctx.response().putHeader("Cache-Control", "max-age=1");
      replies.json(ctx, "client-policy", 200, policyJson(replies.policy()));
    });
  }

  void mountMetrics(Router router) {
    router.get("/metrics").handler(ctx -> {
      replies.request("metrics", 200).inc();
      replies.policyHeader(ctx);
      ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
    });
  }

  static JsonObject policyJson(io.redpacket.core.ClientPolicy p) {
    return new JsonObject().put("level", p.level()).put("samplePercent", p.samplePercent())
        .put("minShakeIntervalMs", p.minIntervalMs()).put("onTimeout", p.onTimeout())
        .put("busySeconds", p.busySeconds()).put("epoch", p.epoch()).put("header", p.header());
  }

  private void ready(RoutingContext ctx) {
    boolean poolsLoaded = pools.ready();
    boolean grantsLoaded = settlement.ready();
    boolean sharesLoaded = sharing.ready();
    boolean topicsKnown = forwarder.ready();
    boolean kafka = outcomes.ready() && poolsLoaded && grantsLoaded && sharesLoaded && topicsKnown;
    JsonObject body = new JsonObject().put("poolsLoaded", poolsLoaded).put("grantsLoaded", grantsLoaded)
        .put("sharesLoaded", sharesLoaded).put("topicsKnown", topicsKnown).put("kafka", kafka)
        .put("backends", backends.json());
    if (backends.anySilent()) {
      body.put("backendNote", "a job is not answering (recovering): requests are still taken, answered 202 with a"
          + " poll URL as soon as Kafka has them, and sharing waits; ready stays 200, since every instance waits on"
          + " the same jobs");
    }
    replies.json(ctx, "ready", kafka ? 200 : 503, body.put("status", kafka ? "ready" : "not ready"));
  }
}
