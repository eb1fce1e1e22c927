package io.redpacket.ingest;

import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareCode;
import io.redpacket.avro.ShareResult;
import io.redpacket.core.Table;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/** How a share or claim result reads over HTTP: its status, body and message. */
final class ShareAnswers {
  private ShareAnswers() {}

  static String route(ShareAction action) {
    return action == ShareAction.SHARE ? "share" : "claim";
  }

  static String metric(ShareResult r) {
    return route(r.getAction()) + "_" + r.getResult().name().toLowerCase(Locale.ROOT);
  }

  static int status(ShareResult r) {
    return switch (r.getResult()) {
      case SHARED, ALREADY_SHARED, CLAIMED, ALREADY_CLAIMED -> 200;
      case NOT_OWNER, OWN_SHARE -> 403;
      case NOT_OPENED, NO_ALLOWANCE -> 409;
      case ALL_CLAIMED, EXPIRED -> 410;
      case UNKNOWN_SHARE -> 404;
    };
  }

  /**
   * The body of an answer; {@code shareCode} is the code friends claim with, given only with the
   * sharer's own SHARED or ALREADY_SHARED (null otherwise).
   */
  static JsonObject body(ShareResult r, String by, String shareCode) {
    JsonObject body = new JsonObject().put("shareId", r.getShareId()).put("requestId", r.getRequestId())
        .put("result", r.getResult().toString()).put("answeredBy", by).put("message", message(r, shareCode));
    if (shareCode != null) {
      body.put("shareCode", shareCode).put("claimUrl", claimPath(shareCode));
    }
    if (r.getCents() != null) {
      body.put("cents", r.getCents()).put("amount", Table.money(r.getCents()));
    }
    if (r.getPiece() != null) {
      body.put("piece", r.getPiece());
    }
    return body;
  }

  /** Whether this answer gives the share's code: the share is made and the answer is to its sharer. */
  static boolean givesCode(ShareResult r) {
    return r.getAction() == ShareAction.SHARE
        && (r.getResult() == ShareCode.SHARED || r.getResult() == ShareCode.ALREADY_SHARED);
  }

  static String claimPath(String shareCode) {
    return "/v1/shares/" + shareCode + "/claim";
  }

  static String message(ShareResult r, String shareCode) {
    String share = Replies.segment(r.getShareId());
    return switch (r.getResult()) {
      case SHARED -> "shared: send friends the share code; they claim at " + claimPath(shareCode);
      case ALREADY_SHARED -> "this packet was already shared; friends claim with its share code at "
          + claimPath(shareCode);
      case NOT_OWNER -> "only the packet's owner can share it";
      case NOT_OPENED -> "open the packet first (POST /v1/grants/" + share + "/open), then share it";
      case NO_ALLOWANCE -> "this packet's pool has no group packet to share";
      case CLAIMED -> "claimed: the piece is credited to your wallet";
      case ALREADY_CLAIMED -> "you already hold a piece of this share: one piece per friend";
      case OWN_SHARE -> "the sharer cannot claim their own share";
      case ALL_CLAIMED -> "every piece is claimed; better luck with the next one";
      case EXPIRED -> "this share has expired; what was left went back to the sponsor";
      case UNKNOWN_SHARE -> "no such share; check the link";
    };
  }
}
