package io.redpacket.core;

import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenCode;
import io.redpacket.avro.OpenResult;
import io.redpacket.avro.Wallet;

/**
 * The rules of settlement for one grant, without Flink: what a grant, an open, an expiry and a
 * credit produce. Every output is a function of its inputs' own fields and time stamps, never of
 * the wall clock, so a replay writes the same bytes.
 *
 * <p>Money moves in three double-entry steps: RESERVE (sponsor to pool) when the grant is made,
 * CREDIT (pool to the owner's wallet) when the owner opens it, REFUND (pool to sponsor) when it
 * expires unopened. So a pool account's balance is what its grants still hold: granted minus
 * settled minus refunded.
 */
public final class Settlement {
  private Settlement() {}

  /** What one step produces: at most one ledger entry, one new grant state and one answer. */
  public record Step(LedgerEntry entry, GrantState state, OpenResult result) {}

  public static String sponsorAccount(Grant g) {
    return "sponsor:" + (g.getSponsor() == null ? "pool-" + g.getPoolId() : g.getSponsor());
  }

  public static String poolAccount(String poolId) {
    return "pool:" + poolId;
  }

  public static String walletAccount(String userId) {
    return "wallet:" + userId;
  }

  /** Why an open record cannot be settled; empty when it can. */
  public static java.util.List<String> validate(Open o) {
    java.util.List<String> errors = new java.util.ArrayList<>();
    idField(errors, "openId", o.getOpenId());
    idField(errors, "grantId", o.getGrantId());
    idField(errors, "userId", o.getUserId());
    if (o.getTimestamp() <= 0) {
      errors.add("timestamp must be positive");
    }
    return errors;
  }

  /** Why a grant record cannot be settled; empty when it can. */
  public static java.util.List<String> validate(Grant g) {
    java.util.List<String> errors = new java.util.ArrayList<>();
    idField(errors, "grantId", g.getGrantId());
    idField(errors, "userId", g.getUserId());
    idField(errors, "poolId", g.getPoolId());
    if (g.getCents() <= 0) {
      errors.add("cents must be positive, not " + g.getCents());
    }
    return errors;
  }

  private static void idField(java.util.List<String> errors, String name, String value) {
    if (value == null || value.isEmpty() || value.length() > 256) {
      errors.add(name + " must be 1 to 256 characters");
    }
  }

  /** A grant arrives for the first time: its cents are reserved from the sponsor in the pool's account. */
  public static Step grant(Grant g) {
    LedgerEntry reserve = entry(g, EntryKind.RESERVE, sponsorAccount(g), poolAccount(g.getPoolId()), g.getTimestamp());
    // The all-args constructors, here and below: Avro's builders copy every field deeply and check each, per record.
    GrantState granted = new GrantState(g.getGrantId(), g.getUserId(), g.getPoolId(), g.getCents(), GrantPhase.GRANTED,
        null, g.getTimestamp(), null, g.getTimestamp(), sponsorAccount(g).substring("sponsor:".length()),
        g.getShareCents(), g.getSharePieces());
    return new Step(reserve, granted, null);
  }

  /**
   * An open of a known grant in its current state. Only the owner may open; the first open by the
   * owner of a grant still GRANTED credits the wallet; anything later changes nothing and is
   * answered as before.
   */
  public static Step open(Grant g, GrantState current, Open o) {
    OpenResult refused = refusal(current, o);
    if (refused != null) {
      return new Step(null, null, refused);
    }
    if (current.getState() != GrantPhase.GRANTED) { // OPENED or CREDITED: answered as before
      return new Step(null, null, result(o,
          o.getOpenId().equals(current.getOpenId()) ? OpenCode.OPENED : OpenCode.ALREADY_OPENED, g.getCents()));
    }
    LedgerEntry credit = entry(g, EntryKind.CREDIT, poolAccount(g.getPoolId()), walletAccount(g.getUserId()),
        o.getTimestamp());
    GrantState opened = moved(current, GrantPhase.OPENED, o.getOpenId(), o.getTimestamp(), o.getTimestamp());
    return new Step(credit, opened, result(o, OpenCode.OPENED, g.getCents()));
  }

  /**
   * An open of a known grant that expires at {@code expiresAt}: an open stamped at or after the
   * expiry is refused {@code EXPIRED} whenever it is processed; one stamped before it is decided as
   * {@link #open(Grant, GrantState, Open)} does, so it is honoured as long as the refund has not run
   * (the refund waits for a grace after the expiry). The open's time stamp was checked against its
   * record's when it was read, so a client cannot send an old one.
   */
  public static Step open(Grant g, GrantState current, Open o, long expiresAt) {
    OpenResult refused = refusal(current, o);
    if (refused == null && current.getState() == GrantPhase.GRANTED && o.getTimestamp() >= expiresAt) {
      refused = result(o, OpenCode.EXPIRED, null);
    }
    return refused != null ? new Step(null, null, refused) : open(g, current, o);
  }

  /** An open the grant's state refuses: not the owner's (checked first), or expired; null when it may go on. */
  public static OpenResult refusal(GrantState current, Open o) {
    if (!o.getUserId().equals(current.getUserId())) {
      return result(o, OpenCode.NOT_OWNER, null);
    }
    return current.getState() == GrantPhase.EXPIRED ? result(o, OpenCode.EXPIRED, null) : null;
  }

  /** The grant's expiry has come: a grant still unopened is refunded to its sponsor. */
  public static Step expire(Grant g, GrantState current, long expiresAt) {
    if (current.getState() != GrantPhase.GRANTED) {
      return new Step(null, null, null);
    }
    LedgerEntry refund = entry(g, EntryKind.REFUND, poolAccount(g.getPoolId()), sponsorAccount(g), expiresAt);
    GrantState expired = moved(current, GrantPhase.EXPIRED, current.getOpenId(), current.getOpenedMillis(), expiresAt);
    return new Step(refund, expired, null);
  }

  /** An open whose grant never arrived within the wait (or was retired long ago). */
  public static OpenResult unknownGrant(Open o) {
    return result(o, OpenCode.UNKNOWN_GRANT, null);
  }

  /** The wallet after crediting an opened grant: {@code before} is null for a user's first credit. */
  public static Wallet credit(Wallet before, GrantState opened) {
    return credit(before, opened.getUserId(), opened.getCents(), entryId(opened.getGrantId(), EntryKind.CREDIT),
        opened.getTimestamp());
  }

  /** The wallet after any credit (an opened grant, a claimed piece of a share). */
  public static Wallet credit(Wallet before, String userId, long cents, String entryId, long at) {
    long balance = (before == null ? 0 : before.getBalanceCents()) + cents;
    long credits = (before == null ? 0 : before.getCredits()) + 1;
    return new Wallet(userId, balance, credits, entryId, at);
  }

  /** The grant's state once its credit is in the wallet. */
  public static GrantState credited(GrantState opened) {
    return moved(opened, GrantPhase.CREDITED, opened.getOpenId(), opened.getOpenedMillis(), opened.getTimestamp());
  }

  /** The grant's state {@code s} moved on to {@code phase}; the rest as it was. */
  private static GrantState moved(GrantState s, GrantPhase phase, String openId, Long openedMillis, long timestamp) {
    return new GrantState(s.getGrantId(), s.getUserId(), s.getPoolId(), s.getCents(), phase, openId,
        s.getGrantedMillis(), openedMillis, timestamp, s.getSponsor(), s.getShareCents(), s.getSharePieces());
  }

  public static String entryId(String grantId, EntryKind kind) {
    return grantId + "/" + kind.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static LedgerEntry entry(Grant g, EntryKind kind, String debit, String credit, long at) {
    return new LedgerEntry(entryId(g.getGrantId(), kind), kind, g.getGrantId(), g.getPoolId(), g.getUserId(), debit,
        g.getCents(), credit, g.getCents(), at);
  }

  private static OpenResult result(Open o, OpenCode code, Long cents) {
    return new OpenResult(o.getOpenId(), o.getGrantId(), o.getUserId(), code, cents, o.getTimestamp());
  }
}
