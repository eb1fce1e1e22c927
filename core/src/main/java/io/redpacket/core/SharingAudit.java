package io.redpacket.core;

import static io.redpacket.core.Table.count;

import io.redpacket.avro.Grant;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareCode;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareMove;
import io.redpacket.avro.SharePhase;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.core.Audit.Check;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks the sharing half of invariants 4 and 5 over what the sharing and settlement jobs
 * committed, to the cent: per share, claimed + refunded + outstanding = the share's value and
 * the share account holds exactly the outstanding cents; every movement is booked once in the
 * ledger; no friend holds two pieces of one share and the sharer none; only owners share; every
 * request is answered, repeats alike, and every piece claimed was answered CLAIMED to its friend.
 * The ledger's balance and the wallets (which include pieces) are the {@link SettlementAudit}'s.
 */
public final class SharingAudit {
  /** The committed records; {@code states} holds the latest per share. */
  public record Input(List<Grant> grants, List<ShareRequest> requests, List<ShareResult> results,
      List<ShareGrant> moves, List<LedgerEntry> ledger, Map<String, ShareState> states) {}

  public static final class PoolRow {
    public final String poolId;
    public long shares;
    public long valueCents;
    public long pieces;
    public long claimedPieces;
    public long claimedCents;
    public long refundedCents;
    public long outstandingCents;
    public final EnumMap<ShareCode, Long> answers = new EnumMap<>(ShareCode.class);

    PoolRow(String poolId) {
      this.poolId = poolId;
    }
  }

  public record Report(Map<String, PoolRow> pools, List<Check> checks) {
    public boolean clean() {
      return Check.allPassed(checks);
    }

    public long shares() {
      return pools.values().stream().mapToLong(r -> r.shares).sum();
    }

    public String render() {
      Table t = new Table("pool", "shares", "value", "pieces", "claimed", "claimed cents", "refunded cents",
          "outstanding cents", "claims ok", "again", "own share", "all claimed", "expired", "unknown", "shares refused");
      for (PoolRow r : pools.values()) {
        long refusedShares = 0;
        for (ShareCode c : List.of(ShareCode.NOT_OWNER, ShareCode.NOT_OPENED, ShareCode.NO_ALLOWANCE)) {
          refusedShares += r.answers.getOrDefault(c, 0L);
        }
        t.row(r.poolId, count(r.shares), Table.money(r.valueCents), count(r.pieces), count(r.claimedPieces),
            Table.money(r.claimedCents), Table.money(r.refundedCents), Table.money(r.outstandingCents),
            count(r.answers.getOrDefault(ShareCode.CLAIMED, 0L)), count(r.answers.getOrDefault(ShareCode.ALREADY_CLAIMED, 0L)),
            count(r.answers.getOrDefault(ShareCode.OWN_SHARE, 0L)), count(r.answers.getOrDefault(ShareCode.ALL_CLAIMED, 0L)),
            count(r.answers.getOrDefault(ShareCode.EXPIRED, 0L)), count(r.answers.getOrDefault(ShareCode.UNKNOWN_SHARE, 0L)),
            count(refusedShares));
      }
      return "sharing:\n" + t.render() + Check.render(checks);
    }
  }

  private SharingAudit() {}

  public static Report run(Input in) {
    Map<String, PoolRow> rows = new TreeMap<>();
    List<Check> checks = new ArrayList<>();
    Map<String, Grant> grants = new HashMap<>();
    in.grants().forEach(g -> grants.put(g.getGrantId(), g));

    // Every movement once, and booked once in the ledger with the same cents.
    Map<String, ShareGrant> moves = new HashMap<>();
    List<String> twice = new ArrayList<>();
    for (ShareGrant m : in.moves()) {
      if (moves.put(m.getMoveId(), m) != null) {
        twice.add(m.getMoveId() + " decided twice");
      }
    }
    Map<String, Long> accounts = new HashMap<>();
    Map<String, LedgerEntry> booked = new HashMap<>();
    for (LedgerEntry e : in.ledger()) {
      if (!Sharing.isShareEntry(e.getKind())) {
        continue;
      }
      accounts.merge(e.getDebitAccount(), -e.getDebitCents(), Long::sum);
      accounts.merge(e.getCreditAccount(), e.getCreditCents(), Long::sum);
      if (booked.put(e.getEntryId(), e) != null) {
        twice.add(e.getEntryId() + " booked twice");
      }
    }
    List<String> unbooked = new ArrayList<>();
    for (ShareGrant m : moves.values()) {
      LedgerEntry e = booked.get(m.getMoveId());
      if (e == null || !e.equals(Sharing.entry(m))) {
        unbooked.add(m.getMoveId() + (e == null ? " not in the ledger" : " booked as " + e));
      }
    }
    for (String id : booked.keySet()) {
      if (!moves.containsKey(id)) {
        unbooked.add(id + " in the ledger without a movement");
      }
    }
    checks.add(new Check("5", "every share movement decided once and booked once, to the cent",
        twice.size() + unbooked.size(), Check.samples(twice.isEmpty() ? unbooked : twice,
            String.format("%,d movements", moves.size()))));

    // Per share: reserved once; claimed + refunded + outstanding = value; the share account holds the outstanding.
    Map<String, List<ShareGrant>> byShare = new TreeMap<>();
    moves.values().forEach(m -> byShare.computeIfAbsent(m.getShareId(), k -> new ArrayList<>()).add(m));
    List<String> sharesOff = new ArrayList<>();
    List<String> twoPieces = new ArrayList<>();
    List<String> foreign = new ArrayList<>();
    List<String> statesOff = new ArrayList<>();
    for (Map.Entry<String, List<ShareGrant>> s : byShare.entrySet()) {
      String shareId = s.getKey();
      ShareGrant reserve = null;
      long claimed = 0;
      long refunded = 0;
      int refunds = 0;
      Set<String> friends = new HashSet<>();
      Set<Integer> pieces = new HashSet<>();
      for (ShareGrant m : s.getValue()) {
        switch (m.getKind()) {
          case RESERVE -> reserve = m;
          case PIECE -> {
            claimed += m.getCents();
            if (!friends.add(m.getUserId())) {
              twoPieces.add(m.getUserId() + " holds two pieces of " + shareId);
            }
            if (m.getUserId().equals(m.getSharer())) {
              twoPieces.add(m.getUserId() + " claimed a piece of their own share " + shareId);
            }
            pieces.add(m.getPiece());
          }
          case REFUND -> {
            refunded += m.getCents();
            refunds++;
          }
        }
      }
      if (reserve == null) {
        sharesOff.add(shareId + ": pieces or a refund without a reservation");
        continue;
      }
      Grant g = grants.get(shareId);
      if (g == null || !g.getUserId().equals(reserve.getSharer())) {
        foreign.add(shareId + " shared by " + reserve.getSharer() + (g == null ? ", no such grant" : ", owner " + g.getUserId()));
      } else if (g.getShareCents() != reserve.getCents()) {
        sharesOff.add(shareId + ": reserved " + reserve.getCents() + ", the grant's allowance is " + g.getShareCents());
      }
      ShareState state = in.states().get(shareId);
      int pieceCount = state == null ? -1 : state.getPieces();
      long outstanding = accounts.getOrDefault(Sharing.shareAccount(shareId), 0L);
      if (claimed + refunded + outstanding != reserve.getCents() || outstanding < 0 || refunds > 1
          || (refunds == 1 && outstanding != 0) || pieces.size() != friends.size()
          || (pieceCount >= 0 && friends.size() > pieceCount)) {
        sharesOff.add(shareId + ": value " + reserve.getCents() + ", claimed " + claimed + ", refunded " + refunded
            + " (" + refunds + "x), outstanding " + outstanding + ", " + friends.size() + " pieces of " + pieceCount);
      }
      if (state == null || state.getClaimedCents() != claimed || state.getRefundedCents() != refunded
          || state.getClaims().size() != friends.size()
          || (state.getPhase() == SharePhase.EXPIRED) != (refunds == 1)) {
        statesOff.add(shareId + ": " + (state == null ? "no state" : state.getPhase() + " claimed "
            + state.getClaimedCents() + " refunded " + state.getRefundedCents()) + ", movements say claimed " + claimed
            + " refunded " + refunded);
      }
      PoolRow row = rows.computeIfAbsent(reserve.getPoolId(), PoolRow::new);
      row.shares++;
      row.valueCents += reserve.getCents();
      row.pieces += Math.max(0, pieceCount);
      row.claimedPieces += friends.size();
      row.claimedCents += claimed;
      row.refundedCents += refunded;
      row.outstandingCents += outstanding;
    }
    checks.add(new Check("5", "per share: claimed + refunded + outstanding = value", sharesOff.size(),
        Check.samples(sharesOff, String.format("%,d shares; each share account holds its outstanding cents", byShare.size()))));
    checks.add(new Check("4", "one piece per friend, none for the sharer", twoPieces.size(), Check.samples(twoPieces, "")));

    // Every request answered, repeats alike; what was answered matches the money.
    FirstAnswers<ShareResult> answered = FirstAnswers.of(in.results(),
        r -> requestKey(r.getAction(), r.getShareId(), r.getRequestId(), r.getUserId()),
        (a, b) -> a.getResult() == b.getResult() && Objects.equals(a.getCents(), b.getCents()),
        r -> r.getRequestId() + ": " + r.getResult(), r -> {
          Grant g = grants.get(r.getShareId());
          rows.computeIfAbsent(g == null ? "(unknown share)" : g.getPoolId(), PoolRow::new).answers
              .merge(r.getResult(), 1L, Long::sum);
        }).requests(in.requests(), q -> requestKey(q.getAction(), q.getShareId(), q.getRequestId(), q.getUserId()),
            q -> q.getAction() + " " + q.getRequestId());
    checks.add(answered.check("4", "every share and claim answered, repeats alike", "requests"));
    Map<String, ShareResult> first = answered.first;
    List<String> answersOff = new ArrayList<>();
    Map<String, ShareGrant> pieceOf = new HashMap<>();
    moves.values().stream().filter(m -> m.getKind() == ShareMove.PIECE)
        .forEach(m -> pieceOf.put(m.getShareId() + "|" + m.getUserId(), m));
    Set<String> answeredPieces = new HashSet<>();
    for (ShareResult r : first.values()) {
      if (r.getAction() == ShareAction.CLAIM && r.getResult() == ShareCode.CLAIMED) {
        ShareGrant m = pieceOf.get(r.getShareId() + "|" + r.getUserId());
        if (m == null || !Objects.equals(r.getCents(), m.getCents())) {
          answersOff.add(r.getRequestId() + " answered CLAIMED " + r.getCents() + ", piece " + (m == null ? "none" : m.getCents()));
        } else {
          answeredPieces.add(m.getMoveId());
        }
      }
      if (r.getAction() == ShareAction.SHARE && r.getResult() == ShareCode.SHARED) {
        Grant g = grants.get(r.getShareId());
        if (g == null || !g.getUserId().equals(r.getUserId())) {
          foreign.add(r.getUserId() + " shared " + r.getShareId() + " that is not theirs");
        }
      }
    }
    for (ShareGrant m : pieceOf.values()) {
      if (!answeredPieces.contains(m.getMoveId())) {
        answersOff.add(m.getMoveId() + " paid without a CLAIMED answer to " + m.getUserId());
      }
    }
    checks.add(new Check("4", "every piece paid was answered CLAIMED to its friend, same cents", answersOff.size(),
        Check.samples(answersOff, String.format("%,d pieces", pieceOf.size()))));
    checks.add(new Check("4", "nobody shares a grant that is not theirs", foreign.size(), Check.samples(foreign, "")));
    checks.add(new Check("5", "each share's published state matches its movements", statesOff.size(),
        Check.samples(statesOff, "")));
    return new Report(rows, checks);
  }

  /** A request is its action, share, key and user: the same key on another share is another request. */
  private static String requestKey(ShareAction action, String shareId, String requestId, String userId) {
    return action + "|" + shareId + "|" + requestId + "|" + userId;
  }
}
