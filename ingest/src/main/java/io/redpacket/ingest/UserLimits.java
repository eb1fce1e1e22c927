package io.redpacket.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
  private final Cache<String, TokenBucket> buckets =
      Caffeine.newBuilder().maximumSize(2_000_000).expireAfterAccess(Duration.ofMinutes(2)).build();

  UserLimits(Replies replies) {
    this.replies = replies;
  }

  /** After {@link Authentication#user}: at most {@code rate} requests per second of one user on {@code route}, bursts of twice. */
  Handler<RoutingContext> per(String route, double rate) {
    return ctx -> {
      String key = route + '|' + Authentication.userId(ctx);
      long now = System.nanoTime();
      long retryAfter = buckets.get(key, k -> new TokenBucket(rate, 2 * rate, now)).take(now);
      if (retryAfter > 0) {
        replies.shed(ctx, route, "user_rate", 429, retryAfter, "too_many_requests",
            "this user sends " + route + " requests too fast; retry after " + retryAfter + " s");
        return;
      }
      ctx.next();
    };
  }
}
