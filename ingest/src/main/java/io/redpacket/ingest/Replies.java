package io.redpacket.ingest;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Every JSON answer and error of the ingest, each counted by route and status. */
final class Replies {
  private final IngestMetrics metrics;

  Replies(IngestMetrics metrics) {
    this.metrics = metrics;
  }

  void error(RoutingContext ctx, String route, int status, String code, String message) {
    json(ctx, route, status, new JsonObject().put("code", code).put("message", message));
  }

  /** An error that tells the client when to try again, counted as shed for {@code reason}. */
  void shed(RoutingContext ctx, String route, String reason, int status, long retryAfterSeconds, String code,
      String message) {
    metrics.answers.labelValues("shed", reason).inc();
    ctx.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
    error(ctx, route, status, code, message);
  }

  void json(RoutingContext ctx, String route, int status, JsonObject body) {
    metrics.requests.labelValues(route, String.valueOf(status)).inc();
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
  }

  /** Counts an answer given at the edge ({@code local}) or sent on ({@code forwarded}). */
  void counted(String path, String reason) {
    metrics.answers.labelValues(path, reason).inc();
  }

  /** Records how long an answer took, by route and how it was answered. */
  void timed(String route, String by, long t0) {
    metrics.latency.labelValues(route, by).observe((System.nanoTime() - t0) / 1e9);
  }

  /** Ids hold slashes (pool/set/sequence): in a URL they are one percent-encoded path segment. */
  static String segment(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }
}
