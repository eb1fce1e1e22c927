package io.redpacket.ingest;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.codec.Topics;
import io.redpacket.kafka.PoolWriter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/** {@code POST /v1/admin/pools}: an operator creates a pool, checked by the same rules as {@code ./redpacket pool create}. */
final class AdminRoutes {
  private static final Set<String> POOL_FIELDS = Set.of("poolId", "sponsor", "totalCents", "totalCount", "sets",
      "minCents", "maxCents", "startMillis", "endMillis", "splitMode", "perUserLimit", "pacing", "shareCents",
      "sharePieces");
  private final Vertx vertx;
  private final IngestConfig config;
  private final Forwarder forwarder;
  private final Replies replies;

  AdminRoutes(Vertx vertx, IngestConfig config, Forwarder forwarder, Replies replies) {
    this.vertx = vertx;
    this.config = config;
    this.forwarder = forwarder;
    this.replies = replies;
  }

  void mount(Router router, Authentication auth) {
    router.post("/v1/admin/pools").handler(auth.admin("admin_pools")).handler(this::createPool);
    router.put("/v1/admin/client-policy").handler(auth.admin("admin_policy")).handler(this::policyFloor);
  }

  /**
   * {@code {"floorLevel": 0..3}}: the client policy is at least this level whatever the load, as an
   * operator sets it ahead of a wave they know is coming (0 gives it back to the load).
   */
  private void policyFloor(RoutingContext ctx) {
    Integer floor;
    try {
      Object f = ShakeRequest.object(ctx.body().buffer()).getValue("floorLevel");
      floor = f instanceof Integer i && i >= 0 && i < io.redpacket.core.ClientPolicy.LEVELS ? i : null;
    } catch (ShakeRequest.BadRequest e) {
      floor = null;
    }
    if (floor == null) {
      replies.error(ctx, "admin_policy", 400, "invalid_field", "send {\"floorLevel\": 0..3}");
      return;
    }
    forwarder.policyFloor(floor);
    replies.json(ctx, "admin_policy", 200, new JsonObject().put("floorLevel", floor)
        .put("status", "in force within 50 ms"));
  }

  private void createPool(RoutingContext ctx) {
    PoolDefinition pool;
    try {
      pool = poolFrom(ShakeRequest.object(ctx.body().buffer()));
    } catch (ShakeRequest.BadRequest e) {
      replies.error(ctx, "admin_pools", 400, e.code, e.getMessage());
      return;
    }
    vertx.executeBlocking(() -> {
      PoolWriter.create(config.bootstrap(), Topics.named(config.topicPrefix(), Topics.POOLS), pool);
      return pool;
    }).onComplete(r -> {
      if (r.succeeded()) {
        replies.json(ctx, "admin_pools", 201, new JsonObject().put("poolId", pool.getPoolId()).put("status", "created"));
      } else if (r.cause() instanceof PoolWriter.RefusedException e) {
        replies.error(ctx, "admin_pools", 422, "invalid_pool", e.getMessage());
      } else {
        forwarder.unavailable(ctx, "admin_pools", "the pool was not written: " + r.cause().getMessage());
      }
    });
  }

  static PoolDefinition poolFrom(JsonObject j) {
    for (String f : j.fieldNames()) {
      if (!POOL_FIELDS.contains(f)) {
        throw new ShakeRequest.BadRequest("unknown_field", "unknown field '" + ShakeRequest.clip(f) + "'; allowed: "
            + POOL_FIELDS);
      }
    }
    try {
      return PoolDefinition.newBuilder().setPoolId(str(j, "poolId")).setSponsor(str(j, "sponsor"))
          .setTotalCents(num(j, "totalCents")).setTotalCount(intNum(j, "totalCount"))
          .setSets(intNum(j, "sets")).setMinCents(num(j, "minCents"))
          .setMaxCents(num(j, "maxCents")).setStartMillis(num(j, "startMillis")).setEndMillis(num(j, "endMillis"))
          .setSplitMode(SplitMode.valueOf(str(j, "splitMode")))
          .setPerUserLimit(intNum(j, "perUserLimit"))
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

  /** Capped: a count past int range stays too large for the pool rules to accept. */
  private static int intNum(JsonObject j, String f) {
    return (int) Math.min(Integer.MAX_VALUE, num(j, f));
  }
}
