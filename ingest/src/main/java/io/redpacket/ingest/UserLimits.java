package io.redpacket.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * Per-user rates on every user route: a token bucket per user and route, so one user's flood of
 * opens, shares, claims or polls (of ids that exist or not) is answered {@code 429} with a
 * {@code Retry-After} before it can take the in-flight budget or raise the load level that sheds
 * everyone else. Shakes keep their own check ({@link ShakeRoutes}), after the answers given at the
 * edge. Shared by every event loop.
 */
final class UserLimits {
  /** Opens, shares and claims one user may send per second on each route (bursts of twice that). */
  static final double REQUESTS = 5;
  /** Polls (GET) answered from the edge's boards are cheaper. */
  static final double POLLS = 25;
  private final Replies replies;
  private final Cache<String, TokenBucket> buckets;

  UserLimits(Replies replies, CacheBudget budget) {
    this.replies = replies;
    this.buckets = budget.cache(CacheBudget.Use.ROUTE_USERS, b -> CacheBudget.BUCKET_BYTES, Duration.ofMinutes(2), true);
  }

  /** After {@link Authentication#user}: at most {@code rate} requests per second of one user on {@code route}, bursts of twice. */
  Handler<RoutingContext> per(String route, double rate) {
    return ctx -> {
      long retryAfter = take(route, Authentication.userId(ctx), rate, System.nanoTime());
      if (retryAfter > 0) {
        replies.shed(ctx, route, "user_rate", 429, retryAfter, "too_many_requests",
            "this user sends " + route + " requests too fast; retry after " + retryAfter + " s");
        return;
      }
      ctx.next();
    };
  }

  /** Takes a token of {@code user} on {@code route}: 0 if there was one, else the seconds to wait for the next. */
  long take(String route, String user, double rate, long now) {
    return buckets.get(route + '|' + user, k -> new TokenBucket(rate, 2 * rate, now)).take(now);
  }
}
