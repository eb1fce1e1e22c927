package io.redpacket.ingest;

import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareClaimed;
import io.redpacket.avro.SharePhase;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.codec.Topics;
import io.redpacket.core.ShareLinks;
import io.redpacket.core.Sharing;
import io.redpacket.core.Table;
import io.redpacket.kafka.Records;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Group packets: {@code POST /v1/grants/{id}/share} (the owner of an opened grant shares it, once, and
 * is given the share's code), {@code POST /v1/shares/{code}/claim} (a friend claims one piece with the
 * code the sharer sent) and {@code GET /v1/shares/{id}}. What the states already decide is answered
 * here by the sharing job's own rules ({@link Sharing}).
 *
 * <p>A share's id is its grant's id and can be guessed, so a claim is by code ({@link ShareLinks}),
 * checked here: a claim without a genuine code reaches neither the boards nor Kafka, and counts
 * against the user's claim rate like any other. Who shared and who claimed is shown to the sharer only.
 */
final class ShareRoutes {
  static final int SHARE_RETRY_AFTER_SECONDS = 3;
  /**
   * A claim of a share that expires within this is never shed: the sharing job decides expiry by the
   * claim's time stamp, and a shed claim retried Retry-After later (clients add up to half of it)
   * could be stamped after the expiry though its friend first sent it in time. Twice the Retry-After
   * and 5 s for the way, as for opens.
   */
  static final long CLAIM_NOT_SHED_WITHIN_MILLIS = 2 * SHARE_RETRY_AFTER_SECONDS * 1000 + 5_000;
  private final SettlementBoard settlement;
  private final ShareBoard sharing;
  private final Forwarder forwarder;
  private final Replies replies;
  private final String sharesTopic;
  private final String claimsTopic;
  private final ShareLinks links;

  ShareRoutes(IngestConfig config, SettlementBoard settlement, ShareBoard sharing, Forwarder forwarder,
      Replies replies) {
    this.settlement = settlement;
    this.sharing = sharing;
    this.forwarder = forwarder;
    this.replies = replies;
    this.sharesTopic = Topics.named(config.topicPrefix(), Topics.SHARES);
    this.claimsTopic = Topics.named(config.topicPrefix(), Topics.SHARE_CLAIMS);
    this.links = new ShareLinks(config.tokenSecret());
  }

  void mount(Router router, Authentication auth, UserLimits limits) {
    router.post("/v1/grants/:grantId/share").handler(auth.user("share")).handler(limits.per("share", UserLimits.REQUESTS))
        .handler(this::shareGrant);
    router.post("/v1/shares/:code/claim").handler(auth.user("claim")).handler(limits.per("claim", UserLimits.REQUESTS))
        .handler(this::claimShare);
    router.get("/v1/shares/:shareId").handler(auth.user("share_status"))
        .handler(limits.per("share_status", UserLimits.POLLS)).handler(this::getShare);
  }

  private void shareGrant(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String grantId = ctx.pathParam("grantId");
    ShareRequest request = request(ctx, ShareAction.SHARE, "share", grantId, "grant", t0, false);
    if (request == null) {
      return;
    }
    ShareResult local = Sharing.answerFromState(settlement.grant(grantId), sharing.share(grantId), request,
        settlement.openSent(grantId));
    forwardUnlessAnswered(ctx, local, request, sharesTopic, t0);
  }

  private void claimShare(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String code = ctx.pathParam("code");
    String shareId = links.shareId(code).orElse(null);
    if (shareId == null) {
      // A share id (it holds slashes, a code never does) is what the old API took: say what to send instead.
      if (code != null && code.indexOf('/') >= 0) {
        replies.error(ctx, "claim", 404, "share_code_required",
            "claims take the share code the sharer was given (shareCode in the share's answer), not the share id");
      } else {
        replies.error(ctx, "claim", 404, "unknown_share_code", "no share has this code; check the link");
      }
      return;
    }
    ShareState share = sharing.share(shareId);
    boolean due = share != null && share.getExpiresMillis() - System.currentTimeMillis() <= CLAIM_NOT_SHED_WITHIN_MILLIS;
    ShareRequest request = request(ctx, ShareAction.CLAIM, "claim", shareId, "share", t0, due);
    if (request == null) {
      return;
    }
    // The sharer, a friend who holds a piece, a share all claimed or expired: answered here.
    ShareResult local = Sharing.claimAnswerFromState(share, request);
    forwardUnlessAnswered(ctx, local, request, claimsTopic, t0);
  }

  /**
   * The request to share or claim, or null once answered: bad input, a retry answered before, or shed
   * under load (unless {@code due}: a claim of a share about to expire).
   */
  private ShareRequest request(RoutingContext ctx, ShareAction action, String route, String id, String what, long t0,
      boolean due) {
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
    if (!due && LoadLevel.shed(LoadLevel.Kind.SHARE, forwarder.shedLevel())) {
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
    forwarder.forwardAndAwait(ctx, route, route, sharing.signal(), Records.shareRequest(topic, r),
        sharing.await(key),
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
    String code = ShareAnswers.givesCode(r) ? links.code(r.getShareId()) : null;
    replies.json(ctx, route, ShareAnswers.status(r), ShareAnswers.body(r, by, code));
  }

  /**
   * What is claimed and what is left, for any signed-in user; who shared, who claimed which piece
   * and the share's code for its sharer only. Anyone else sees only their own piece among the claims.
   */
  private void getShare(RoutingContext ctx) {
    String shareId = ctx.pathParam("shareId");
    ShareState s = IdempotentRequests.validId(shareId) ? sharing.share(shareId) : null;
    if (s == null) {
      replies.error(ctx, "share_status", 404, "not_known", "no share with this id is known yet; poll again shortly");
      return;
    }
    String viewer = Authentication.userId(ctx);
    boolean sharer = viewer.equals(s.getSharer());
    JsonArray claims = new JsonArray();
    for (ShareClaimed c : s.getClaims()) {
      if (!sharer && !viewer.equals(c.getUserId())) {
        continue;
      }
      claims.add(new JsonObject().put("piece", c.getPiece()).put("userId", c.getUserId()).put("cents", c.getCents())
          .put("amount", Table.money(c.getCents())));
    }
    long left = s.getValueCents() - s.getClaimedCents() - s.getRefundedCents();
    JsonObject body = new JsonObject().put("shareId", s.getShareId()).put("poolId", s.getPoolId());
    if (sharer) {
      body.put("sharer", s.getSharer()).put("shareCode", links.code(s.getShareId()));
    }
    replies.json(ctx, "share_status", 200, body.put("state", s.getPhase().toString())
        .put("valueCents", s.getValueCents()).put("value", Table.money(s.getValueCents()))
        .put("pieces", s.getPieces()).put("claimedPieces", s.getClaims().size())
        .put("piecesLeft", s.getPhase() == SharePhase.OPEN ? s.getPieces() - s.getClaims().size() : 0)
        .put("claimedCents", s.getClaimedCents()).put("refundedCents", s.getRefundedCents())
        .put("centsLeft", left).put("expiresMillis", s.getExpiresMillis()).put("claims", claims));
  }
}
