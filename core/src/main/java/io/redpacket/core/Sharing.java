package io.redpacket.core;

import io.redpacket.avro.EntryKind;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareClaimed;
import io.redpacket.avro.ShareCode;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareMove;
import io.redpacket.avro.SharePhase;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.avro.SplitMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rules of one share (a group packet), without Flink. A share's id is its grant's id, so a
 * grant is shared at most once. The owner of an opened grant from a pool with a share allowance
 * shares it: the allowance leaves the sponsor (RESERVE). Friends claim one piece each, drawn by
 * the double-average rule from randomness derived only from (share, piece number), so a replay
 * draws the same amounts; the sharer cannot claim. At expiry what is left goes back to the
 * sponsor (REFUND). Every output depends on the inputs' own fields and time stamps only.
 */
public final class Sharing {
  public static final int MAX_PIECES = 100;

  private Sharing() {}

  /** What one step produces: at most one movement of money, one new share state and one answer. */
  public record Step(ShareGrant move, ShareState state, ShareResult result) {}

  public static String shareAccount(String shareId) {
    return "share:" + shareId;
  }

  /** Why a request record cannot be handled; empty when it can. */
  public static List<String> validate(ShareRequest r) {
    List<String> errors = new ArrayList<>();
    idField(errors, "requestId", r.getRequestId());
    idField(errors, "shareId", r.getShareId());
    idField(errors, "userId", r.getUserId());
    if (r.getAction() == null) {
      errors.add("action must be SHARE or CLAIM");
    }
    if (r.getTimestamp() <= 0) {
      errors.add("timestamp must be positive");
    }
    return errors;
  }

  /** The same checks, and the action must be the topic's: SHARE on `shares`, CLAIM on `share-claims`. */
  public static List<String> validate(ShareRequest r, ShareAction expected) {
    List<String> errors = validate(r);
    if (r.getAction() != null && r.getAction() != expected) {
      errors.add("action " + r.getAction() + " on the " + expected + " topic");
    }
    return errors;
  }

  private static void idField(List<String> errors, String name, String value) {
    if (value == null || value.isEmpty() || value.length() > 256) {
      errors.add(name + " must be 1 to 256 characters");
    }
  }

  /** Whether a share request should wait for its grant's state: unknown, or known but not yet opened. */
  public static boolean waitsForGrant(GrantState grant, ShareState share) {
    return share == null && (grant == null || grant.getState() == GrantPhase.GRANTED);
  }

  /** A request to share, given what is known of the grant (null when nothing is) and of its share. */
  public static Step share(GrantState grant, ShareState current, ShareRequest r, long expiryMillis) {
    if (current != null) {
      if (!r.getUserId().equals(current.getSharer())) {
        return answer(r, ShareCode.NOT_OWNER, null, null);
      }
      boolean same = r.getRequestId().equals(current.getRequestId());
      return answer(r, same ? ShareCode.SHARED : ShareCode.ALREADY_SHARED, current.getValueCents(), null);
    }
    if (grant == null) {
      return answer(r, ShareCode.NOT_OPENED, null, null);
    }
    if (!r.getUserId().equals(grant.getUserId())) {
      return answer(r, ShareCode.NOT_OWNER, null, null);
    }
    if (grant.getShareCents() <= 0 || grant.getSharePieces() <= 0) {
      return answer(r, ShareCode.NO_ALLOWANCE, null, null);
    }
    if (grant.getState() != GrantPhase.OPENED && grant.getState() != GrantPhase.CREDITED) {
      return answer(r, ShareCode.NOT_OPENED, null, null);
    }
    String sponsor = grant.getSponsor() == null ? "pool-" + grant.getPoolId() : grant.getSponsor();
    // The all-args constructors, here and below: Avro's builders copy every field deeply (a share's every claim, on
    // each claim) and check each.
    ShareState created = new ShareState(r.getShareId(), grant.getPoolId(), sponsor, r.getUserId(), r.getRequestId(),
        grant.getShareCents(), grant.getSharePieces(), new ArrayList<>(), 0L, 0L, SharePhase.OPEN, r.getTimestamp(),
        r.getTimestamp() + expiryMillis, r.getTimestamp());
    ShareGrant reserve = move(created, ShareMove.RESERVE, r.getUserId(), 0, created.getValueCents(), r.getTimestamp());
    return new Step(reserve, created, answer(r, ShareCode.SHARED, created.getValueCents(), null).result());
  }

  /**
   * The answer to a share request that the grant's and share's states already decide, as
   * {@link #share} would give it; null when the job must decide: the share would be made, the
   * grant is not known yet, or it is unopened but an open was sent ({@code openSent}) that the job will wait for.
   */
  public static ShareResult answerFromState(GrantState grant, ShareState share, ShareRequest r, boolean openSent) {
    if (share == null && grant == null) {
      return null;
    }
    Step step = share(grant, share, r, 0);
    if (step.move() != null || (share == null && grant.getState() == GrantPhase.GRANTED && openSent
        && step.result().getResult() == ShareCode.NOT_OPENED)) {
      return null;
    }
    return step.result();
  }

  /** The answer to a claim that the share's state already decides, as {@link #claim} would give it; null when the job must. */
  public static ShareResult claimAnswerFromState(ShareState share, ShareRequest r) {
    if (share == null) {
      return null; // the share may not be read back yet: the job waits for it
    }
    Step step = claim(share, r);
    return step.move() == null ? step.result() : null;
  }

  /** A friend's claim on a share (null when the share is not known). One piece each, never the sharer's. */
  public static Step claim(ShareState s, ShareRequest r) {
    if (s == null) {
      return answer(r, ShareCode.UNKNOWN_SHARE, null, null);
    }
    if (r.getUserId().equals(s.getSharer())) {
      return answer(r, ShareCode.OWN_SHARE, null, null);
    }
    for (ShareClaimed c : s.getClaims()) {
      if (c.getUserId().equals(r.getUserId())) {
        boolean same = c.getRequestId().equals(r.getRequestId());
        return answer(r, same ? ShareCode.CLAIMED : ShareCode.ALREADY_CLAIMED, c.getCents(), c.getPiece());
      }
    }
    // By the claim's own time stamp, not by when it reaches the job: a replay decides the same.
    if (s.getPhase() == SharePhase.EXPIRED || r.getTimestamp() >= s.getExpiresMillis()) {
      return answer(r, ShareCode.EXPIRED, null, null);
    }
    if (s.getPhase() == SharePhase.ALL_CLAIMED) {
      return answer(r, ShareCode.ALL_CLAIMED, null, null);
    }
    int piece = s.getClaims().size() + 1;
    long left = s.getValueCents() - s.getClaimedCents();
    long cents = SplitRule.next(SplitMode.LUCKY, s.getPieces() - piece + 1L, left, 1, left,
        DeterministicRandom.forPacket(shareAccount(s.getShareId()), 0, piece));
    List<ShareClaimed> claims = new ArrayList<>(s.getClaims());
    claims.add(new ShareClaimed(piece, r.getUserId(), r.getRequestId(), cents, r.getTimestamp()));
    ShareState after = moved(s, claims, s.getClaimedCents() + cents, s.getRefundedCents(),
        piece == s.getPieces() ? SharePhase.ALL_CLAIMED : SharePhase.OPEN, r.getTimestamp());
    return new Step(move(s, ShareMove.PIECE, r.getUserId(), piece, cents, r.getTimestamp()), after,
        answer(r, ShareCode.CLAIMED, cents, piece).result());
  }

  /**
   * The share's expiry has come (and the grace for claims stamped before it to arrive has passed):
   * a share with pieces left gives the rest back to the sponsor.
   */
  public static Step expire(ShareState s) {
    if (s.getPhase() != SharePhase.OPEN) {
      return new Step(null, null, null);
    }
    long left = s.getValueCents() - s.getClaimedCents();
    ShareState after = moved(s, s.getClaims(), s.getClaimedCents(), left, SharePhase.EXPIRED, s.getExpiresMillis());
    return new Step(move(s, ShareMove.REFUND, s.getSharer(), 0, left, s.getExpiresMillis()), after, null);
  }

  /** The share {@code s} moved on; the rest as it was (its claims are not changed in place: a new list replaces them). */
  private static ShareState moved(ShareState s, List<ShareClaimed> claims, long claimedCents, long refundedCents,
      SharePhase phase, long timestamp) {
    return new ShareState(s.getShareId(), s.getPoolId(), s.getSponsor(), s.getSharer(), s.getRequestId(),
        s.getValueCents(), s.getPieces(), claims, claimedCents, refundedCents, phase, s.getCreatedMillis(),
        s.getExpiresMillis(), timestamp);
  }

  /** A request that waited in vain: its grant was never opened in time, or its share never made. */
  public static ShareResult gaveUp(ShareRequest r) {
    return answer(r, r.getAction() == ShareAction.SHARE ? ShareCode.NOT_OPENED : ShareCode.UNKNOWN_SHARE, null, null)
        .result();
  }

  /** The ledger entry that books a movement: sponsor to share, share to a friend's wallet, share back to sponsor. */
  public static LedgerEntry entry(ShareGrant m) {
    String share = shareAccount(m.getShareId());
    String sponsor = "sponsor:" + m.getSponsor();
    return switch (m.getKind()) {
      case RESERVE -> ledger(m, EntryKind.SHARE_RESERVE, sponsor, share);
      case PIECE -> ledger(m, EntryKind.SHARE_CREDIT, share, Settlement.walletAccount(m.getUserId()));
      case REFUND -> ledger(m, EntryKind.SHARE_REFUND, share, sponsor);
    };
  }

  public static boolean isShareEntry(EntryKind kind) {
    return kind == EntryKind.SHARE_RESERVE || kind == EntryKind.SHARE_CREDIT || kind == EntryKind.SHARE_REFUND;
  }

  public static String moveId(String shareId, ShareMove kind, int piece) {
    String k = kind.name().toLowerCase(Locale.ROOT);
    return kind == ShareMove.PIECE ? shareId + "/" + k + "/" + piece : shareId + "/" + k;
  }

  private static LedgerEntry ledger(ShareGrant m, EntryKind kind, String debit, String credit) {
    return new LedgerEntry(m.getMoveId(), kind, m.getShareId(), m.getPoolId(), m.getUserId(), debit, m.getCents(),
        credit, m.getCents(), m.getTimestamp());
  }

  private static ShareGrant move(ShareState s, ShareMove kind, String userId, int piece, long cents, long at) {
    return new ShareGrant(moveId(s.getShareId(), kind, piece), kind, s.getShareId(), s.getPoolId(), s.getSponsor(),
        s.getSharer(), userId, piece, cents, at);
  }

  private static Step answer(ShareRequest r, ShareCode code, Long cents, Integer piece) {
    return new Step(null, null, new ShareResult(r.getRequestId(), r.getShareId(), r.getUserId(), r.getAction(), code,
        cents, piece, r.getTimestamp()));
  }
}
