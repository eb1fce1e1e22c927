package io.redpacket.ingest;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.redpacket.core.ClientPolicy;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Every JSON answer and error of the ingest, each counted by route and status. The metrics' label
 * children are looked up once per label pair and kept: a request costs a map read and an add.
 * Every answer carries the client policy in force ({@link ClientPolicy#HEADER}): its header value
 * is made once when the policy changes, so a request costs a volatile read and a header put.
 */
final class Replies {
  private static final int LOWEST_STATUS = 100;
  private static final int STATUSES = 500;
  private final IngestMetrics metrics;
  private final Map<String, AtomicReferenceArray<CounterDataPoint>> requests = new ConcurrentHashMap<>();
  private final Map<String, Map<String, CounterDataPoint>> answers = new ConcurrentHashMap<>();
  private final Map<String, Map<String, DistributionDataPoint>> latency = new ConcurrentHashMap<>();
  private static final CharSequence POLICY_HEADER = HttpHeaders.createOptimized(ClientPolicy.HEADER);
  private volatile Policy policy = new Policy(ClientPolicy.DEFAULT);

  /** A policy and its header value, made once. */
  private record Policy(ClientPolicy rule, CharSequence header) {
    Policy(ClientPolicy rule) {
      this(rule, HttpHeaders.createOptimized(rule.header()));
    }
  }

  Replies(IngestMetrics metrics) {
    this.metrics = metrics;
  }

  void error(RoutingContext ctx, String route, int status, String code, String message) {
    json(ctx, route, status, new JsonObject().put("code", code).put("message", message));
  }

  /** An error that tells the client when to try again, counted as shed for {@code reason}. */
  void shed(RoutingContext ctx, String route, String reason, int status, long retryAfterSeconds, String code,
      String message) {
    counted("shed", reason);
    ctx.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
    error(ctx, route, status, code, message);
  }

  void json(RoutingContext ctx, String route, int status, JsonObject body) {
    request(route, status).inc();
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
          .putHeader(POLICY_HEADER, policy.header).end(body.encode());
    }
  }

  /** Puts the client policy in force on an answer that does not go through {@link #json}. */
  void policyHeader(RoutingContext ctx) {
    ctx.response().putHeader(POLICY_HEADER, policy.header);
  }

  /** From now on every answer carries this policy (set by the load sampler, when it changes). */
  void policy(ClientPolicy p) {
    policy = new Policy(p);
  }

  ClientPolicy policy() {
    return policy.rule;
  }

  /** The request counter's child for this route and status. */
  CounterDataPoint request(String route, int status) {
    AtomicReferenceArray<CounterDataPoint> byStatus = requests.computeIfAbsent(route, r -> new AtomicReferenceArray<>(STATUSES));
    int i = status - LOWEST_STATUS;
    if (i < 0 || i >= STATUSES) {
      return metrics.requests.labelValues(route, String.valueOf(status));
    }
    CounterDataPoint c = byStatus.get(i);
    if (c == null) { // a race here only looks the same child up twice
      c = metrics.requests.labelValues(route, String.valueOf(status));
      byStatus.set(i, c);
    }
    return c;
  }

  /** Counts an answer given at the edge ({@code local}) or sent on ({@code forwarded}). */
  void counted(String path, String reason) {
    child(answers, path, reason, metrics.answers::labelValues).inc();
  }

  /** Records how long an answer took, by route and how it was answered. */
  void timed(String route, String by, long t0) {
    child(latency, route, by, metrics.latency::labelValues).observe((System.nanoTime() - t0) / 1e9);
  }

  private static <C> C child(Map<String, Map<String, C>> cache, String a, String b, Function<String[], C> make) {
    return cache.computeIfAbsent(a, k -> new ConcurrentHashMap<>()).computeIfAbsent(b, k -> make.apply(new String[] {a, b}));
  }

  /** Ids hold slashes (pool/set/sequence): in a URL they are one percent-encoded path segment. */
  static String segment(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }
}
