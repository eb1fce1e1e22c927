package io.redpacket.ingest;

import io.redpacket.core.Tokens;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks the bearer token before a route's handler runs: a user's token puts the user id on the
 * context ({@link #userId}); anything else is answered {@code 401} under the route's name.
 */
final class Authentication {
  private static final String USER_ID = "redpacket.userId";
  private final Tokens tokens;
  private final byte[] adminHeader;
  private final Replies replies;

  Authentication(String tokenSecret, String adminToken, Replies replies) {
    this.tokens = new Tokens(tokenSecret);
    this.adminHeader = ("Bearer " + adminToken).getBytes(StandardCharsets.UTF_8);
    this.replies = replies;
  }

  /** A signed-in user's route. */
  Handler<RoutingContext> user(String route) {
    return ctx -> {
      String header = ctx.request().getHeader("Authorization");
      String token = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : null;
      try {
        ctx.put(USER_ID, tokens.verify(token, System.currentTimeMillis()));
      } catch (Tokens.InvalidTokenException e) {
        replies.error(ctx, route, 401, "unauthorized", e.getMessage());
        return;
      }
      ctx.next();
    };
  }

  /** An admin route: the header must be the admin token, compared in constant time. */
  Handler<RoutingContext> admin(String route) {
    return ctx -> {
      String header = ctx.request().getHeader("Authorization");
      if (header == null || !MessageDigest.isEqual(adminHeader, header.getBytes(StandardCharsets.UTF_8))) {
        replies.error(ctx, route, 401, "unauthorized", "admin endpoints need Authorization: Bearer <admin token>");
        return;
      }
      ctx.next();
    };
  }

  static String userId(RoutingContext ctx) {
    return ctx.get(USER_ID);
  }
}
