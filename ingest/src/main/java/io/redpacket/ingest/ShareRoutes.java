package io.redpacket.ingest;

import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareClaimed;
import io.redpacket.avro.SharePhase;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.codec.Topics;
import io.redpacket.core.Sharing;
import io.redpacket.core.Table;
import io.redpacket.kafka.Records;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Group packets: {@code POST /v1/grants/{id}/share} (the owner of an opened grant shares it, once),
 * {@code POST /v1/shares/{id}/claim} (a friend claims one piece) and {@code GET /v1/shares/{id}}.
 * What the states already decide is answered here by the sharing job's own rules ({@link Sharing}).
 */
final class ShareRoutes {
  static final int SHARE_RETRY_AFTER_SECONDS = 3;
  private final SettlementBoard settlement;
  private final ShareBoard sharing;
  private final Forwarder forwarder;
  private final Replies replies;
  private final String sharesTopic;
  private final String claimsTopic;

  ShareRoutes(IngestConfig config, SettlementBoard settlement, ShareBoard sharing, Forwarder forwarder,
      Replies replies) {
    this.settlement = settlement;
    this.sharing = sharing;
    this.forwarder = forwarder;
    this.replies = replies;
    this.sharesTopic = Topics.named(config.topicPrefix(), Topics.SHARES);
    this.claimsTopic = Topics.named(config.topicPrefix(), Topics.SHARE_CLAIMS);
  }

  void mount(Router router, Authentication auth, UserLimits limits) {
    router.post("/v1/grants/:grantId/share").handler(auth.user("share")).handler(limits.per("share", UserLimits.REQUESTS))
        .handler(this::shareGrant);
    router.post("/v1/shares/:shareId/claim").handler(auth.user("claim")).handler(limits.per("claim", UserLimits.REQUESTS))
        .handler(this::claimShare);
    router.get("/v1/shares/:shareId").handler(auth.user("share_status"))
        .handler(limits.per("share_status", UserLimits.POLLS)).handler(this::getShare);
  }

  private void shareGrant(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String grantId = ctx.pathParam("grantId");
    ShareRequest request = request(ctx, ShareAction.SHARE, "share", grantId, "grant", t0);
    if (request == null) {
      return;
    }
    ShareResult local = Sharing.answerFromState(settlement.grant(grantId), sharing.share(grantId), request,
        settlement.openSent(grantId));
    forwardUnlessAnswered(ctx, local, request, sharesTopic, t0);
  }

  private void claimShare(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String shareId = ctx.pathParam("shareId");
    ShareRequest request = request(ctx, ShareAction.CLAIM, "claim", shareId, "share", t0);
    if (request == null) {
      return;
    }
    // The sharer, a friend who holds a piece, a share all claimed or expired: answered here.
    ShareResult local = Sharing.claimAnswerFromState(sharing.share(shareId), request);
    forwardUnlessAnswered(ctx, local, request, claimsTopic, t0);
  }

  /** The request to share or claim, or null once answered: bad input, a retry answered before, or shed under load. */
  private ShareRequest request(RoutingContext ctx, ShareAction action, String route, String id, String what, long t0) {
    String userId = Authentication.userId(ctx);
    String requestId = IdempotentRequests.key(ctx, replies, route, id, what);
    if (requestId == null) {
      return null;
    }
    ShareResult known = sharing.knownResult(ShareBoard.key(action, id, userId, requestId));
    if (known != null) {
      shareAnswer(ctx, known, "known", t0);
      return null;
    }
    // Sharing is the first thing shed: 429 with a Retry-After, and the client tries again later.
    if (LoadLevel.shed(LoadLevel.Kind.SHARE, forwarder.loadLevel())) {
      replies.shed(ctx, route, route + "_load", 429, SHARE_RETRY_AFTER_SECONDS, "overloaded",
          "sharing is paused while the service is under load; nothing is lost, retry after "
              + SHARE_RETRY_AFTER_SECONDS + " s");
      return null;
    }
    return new ShareRequest(requestId, id, userId, action, System.currentTimeMillis());
  }

  private void forwardUnlessAnswered(RoutingContext ctx, ShareResult local, ShareRequest r, String topic, long t0) {
    if (local != null) {
      shareAnswer(ctx, local, "edge", t0);
      return;
    }
    String route = ShareAnswers.route(r.getAction());
    if (forwarder.atCapacity(ctx, route)) {
      return;
    }
    String key = ShareBoard.key(r.getAction(), r.getShareId(), r.getUserId(), r.getRequestId());
    forwarder.forwardAndAwait(ctx, route, route, Records.shareRequest(topic, r), sharing.await(key),
        () -> sharing.forget(key), () -> replies.counted("forwarded", route),
        result -> shareAnswer(ctx, result, "backend", t0),
        () -> replies.json(ctx, route, 202, new JsonObject().put("shareId", r.getShareId())
            .put("requestId", r.getRequestId()).put("status", "accepted")
            .put("poll", "/v1/shares/" + Replies.segment(r.getShareId()))
            .put("hint", "send the same request with the same Idempotency-Key for its answer")));
  }

  private void shareAnswer(RoutingContext ctx, ShareResult r, String by, long t0) {
    String route = ShareAnswers.route(r.getAction());
    if (!by.equals("backend")) {
      replies.counted("local", ShareAnswers.metric(r));
    }
    replies.timed(route, by, t0);
    replies.json(ctx, route, ShareAnswers.status(r), ShareAnswers.body(r, by));
  }

  /** Who claimed which piece, and what is left; for any signed-in user. */
  private void getShare(RoutingContext ctx) {
    String shareId = ctx.pathParam("shareId");
    ShareState s = IdempotentRequests.validId(shareId) ? sharing.share(shareId) : null;
    if (s == null) {
      replies.error(ctx, "share_status", 404, "not_known", "no share with this id is known yet; poll again shortly");
      return;
    }
    JsonArray claims = new JsonArray();
    for (ShareClaimed c : s.getClaims()) {
      claims.add(new JsonObject().put("piece", c.getPiece()).put("userId", c.getUserId()).put("cents", c.getCents())
          .put("amount", Table.money(c.getCents())));
    }
    long left = s.getValueCents() - s.getClaimedCents() - s.getRefundedCents();
    replies.json(ctx, "share_status", 200, new JsonObject().put("shareId", s.getShareId()).put("poolId", s.getPoolId())
        .put("sharer", s.getSharer()).put("state", s.getPhase().toString())
        .put("valueCents", s.getValueCents()).put("value", Table.money(s.getValueCents()))
        .put("pieces", s.getPieces()).put("claimedPieces", s.getClaims().size())
        .put("piecesLeft", s.getPhase() == SharePhase.OPEN ? s.getPieces() - s.getClaims().size() : 0)
        .put("claimedCents", s.getClaimedCents()).put("refundedCents", s.getRefundedCents())
        .put("centsLeft", left).put("expiresMillis", s.getExpiresMillis()).put("claims", claims));
  }
}
