package io.redpacket.ingest;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/** What every idempotent POST (open, share, claim) carries: an id in the path, an Idempotency-Key header, no body fields. */
final class IdempotentRequests {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:/@-]{1,128}");

  private IdempotentRequests() {}

  static boolean validId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** The request's Idempotency-Key, or null once a {@code 400} is answered. */
  static String key(RoutingContext ctx, Replies replies, String route, String id, String what) {
    String key = ctx.request().getHeader("Idempotency-Key");
    if (!validId(id)) {
      replies.error(ctx, route, 400, "invalid_field", "the " + what + " id must be 1 to 128 of A-Z a-z 0-9 . _ : / @ -");
      return null;
    }
    if (!validId(key)) {
      replies.error(ctx, route, 400, "missing_idempotency_key",
          "send an Idempotency-Key header (1 to 128 of A-Z a-z 0-9 . _ : / @ -) and the same one when retrying");
      return null;
    }
    if (ctx.body().length() > 0) {
      try {
        JsonObject body = ShakeRequest.object(ctx.body().buffer());
        if (!body.isEmpty()) {
          replies.error(ctx, route, 400, "unknown_field",
              "this request takes no body fields; the " + what + " id is in the path");
          return null;
        }
      } catch (ShakeRequest.BadRequest e) {
        replies.error(ctx, route, 400, e.code, e.getMessage());
        return null;
      }
    }
    return key;
  }
}
