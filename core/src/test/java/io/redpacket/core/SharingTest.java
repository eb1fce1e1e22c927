package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareCode;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareMove;
import io.redpacket.avro.SharePhase;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rules of a share, and the sharing audit over a shared, claimed and expired wave. */
class SharingTest {
  static final long EXPIRY = 60_000;
  final List<Grant> grants = new ArrayList<>();
  final List<ShareRequest> requests = new ArrayList<>();
  final List<ShareResult> results = new ArrayList<>();
  final List<ShareGrant> moves = new ArrayList<>();
  final List<LedgerEntry> ledger = new ArrayList<>();
  final Map<String, ShareState> states = new HashMap<>();
  GrantState alices;
  GrantState bobs;

  static GrantState opened(Grant g) {
    GrantState s = Settlement.grant(g).state();
    return Settlement.open(g, s, new Open("o-" + g.getGrantId(), g.getGrantId(), g.getUserId(), 2000L)).state();
  }

  static ShareRequest req(String id, String share, String user, ShareAction action, long at) {
    return new ShareRequest(id, share, user, action, at);
  }

  ShareResult apply(Sharing.Step step, ShareRequest r) {
    if (r != null) {
      requests.add(r);
    }
    if (step.move() != null) {
      moves.add(step.move());
      ledger.add(Sharing.entry(step.move()));
    }
    if (step.state() != null) {
      states.put(step.state().getShareId(), step.state());
    }
    if (step.result() != null) {
      results.add(step.result());
    }
    return step.result();
  }

  ShareResult share(GrantState g, String id, String user) {
    ShareRequest r = req(id, g.getGrantId(), user, ShareAction.SHARE, 3000L);
    return apply(Sharing.share(g, states.get(g.getGrantId()), r, EXPIRY), r);
  }

  ShareResult claim(String share, String id, String user) {
    ShareRequest r = req(id, share, user, ShareAction.CLAIM, 4000L + results.size());
    return apply(Sharing.claim(states.get(share), r), r);
  }

  /** Alice's grant shares 1,000 cents in 5 pieces; Bob's 90 cents in 3. */
  @BeforeEach
  void twoOpenedGrants() {
    Grant a = new Grant("p/0/1", "s1", "alice", "p", 0, 300L, 1L, 1000L, "acme", 1000L, 5);
    Grant b = new Grant("p/0/2", "s2", "bob", "p", 0, 200L, 2L, 1000L, "acme", 90L, 3);
    grants.addAll(List.of(a, b));
    alices = opened(a);
    bobs = opened(b);
  }

  @Test
  void onlyTheOwnerOfAnOpenedGrantSharesItOnce() {
    assertThat(share(alices, "m1", "mallory").getResult()).isEqualTo(ShareCode.NOT_OWNER);
    GrantState unopened = Settlement.grant(grants.get(0)).state();
    assertThat(Sharing.waitsForGrant(unopened, null)).isTrue();
    assertThat(Sharing.share(unopened, null, req("x", "p/0/1", "alice", ShareAction.SHARE, 1L), EXPIRY).result()
        .getResult()).isEqualTo(ShareCode.NOT_OPENED);
    GrantState noAllowance = GrantState.newBuilder(alices).setShareCents(0L).setSharePieces(0).build();
    assertThat(Sharing.share(noAllowance, null, req("x", "p/0/1", "alice", ShareAction.SHARE, 1L), EXPIRY).result()
        .getResult()).isEqualTo(ShareCode.NO_ALLOWANCE);

    ShareResult first = share(alices, "a1", "alice");
    assertThat(first.getResult()).isEqualTo(ShareCode.SHARED);
    assertThat(first.getCents()).isEqualTo(1000L);
    assertThat(share(alices, "a1", "alice").getResult()).as("a retry").isEqualTo(ShareCode.SHARED);
    assertThat(share(alices, "a2", "alice").getResult()).as("a second tap").isEqualTo(ShareCode.ALREADY_SHARED);
    assertThat(share(alices, "m2", "mallory").getResult()).isEqualTo(ShareCode.NOT_OWNER);
    assertThat(moves).hasSize(1);
    assertThat(moves.get(0).getKind()).isEqualTo(ShareMove.RESERVE);
    assertThat(ledger.get(0).getDebitAccount()).isEqualTo("sponsor:acme");
    assertThat(ledger.get(0).getCreditAccount()).isEqualTo("share:p/0/1");
  }

  @Test
  void friendsClaimOnePieceEachAndTheLastPieceTakesTheRest() {
    share(alices, "a1", "alice");
    assertThat(claim("p/0/1", "c0", "alice").getResult()).isEqualTo(ShareCode.OWN_SHARE);
    long sum = 0;
    for (int i = 1; i <= 5; i++) {
      ShareResult r = claim("p/0/1", "c" + i, "friend" + i);
      assertThat(r.getResult()).isEqualTo(ShareCode.CLAIMED);
      assertThat(r.getPiece()).isEqualTo(i);
      assertThat(r.getCents()).isPositive();
      sum += r.getCents();
    }
    assertThat(sum).isEqualTo(1000);
    assertThat(states.get("p/0/1").getPhase()).isEqualTo(SharePhase.ALL_CLAIMED);
    assertThat(claim("p/0/1", "late", "friend6").getResult()).as("lost the race for the last piece")
        .isEqualTo(ShareCode.ALL_CLAIMED);
    ShareResult again = claim("p/0/1", "c2", "friend2");
    assertThat(again.getResult()).isEqualTo(ShareCode.CLAIMED);
    assertThat(again.getPiece()).isEqualTo(2);
    assertThat(claim("p/0/1", "c2b", "friend2").getResult()).isEqualTo(ShareCode.ALREADY_CLAIMED);
    assertThat(claim("nope", "u", "friend2").getResult()).isEqualTo(ShareCode.UNKNOWN_SHARE);
    assertThat(Sharing.expire(states.get("p/0/1")).move()).as("nothing left to refund").isNull();
  }

  @Test
  void aClaimStampedAtOrAfterTheExpiryIsExpiredWhateverThePhase() {
    share(bobs, "b1", "bob");
    ShareRequest late = req("late", "p/0/2", "carol", ShareAction.CLAIM, 3000L + EXPIRY);
    assertThat(Sharing.claim(states.get("p/0/2"), late).result().getResult()).isEqualTo(ShareCode.EXPIRED);
    ShareRequest justInTime = req("ok", "p/0/2", "carol", ShareAction.CLAIM, 3000L + EXPIRY - 1);
    assertThat(Sharing.claim(states.get("p/0/2"), justInTime).result().getResult()).isEqualTo(ShareCode.CLAIMED);
  }

  @Test
  void theSameClaimsDrawTheSamePieces() {
    share(alices, "a1", "alice");
    List<Long> first = new ArrayList<>();
    ShareState start = states.get("p/0/1");
    for (int i = 1; i <= 5; i++) {
      first.add(claim("p/0/1", "c" + i, "f" + i).getCents());
    }
    states.put("p/0/1", start);
    for (int i = 1; i <= 5; i++) {
      assertThat(claim("p/0/1", "d" + i, "g" + i).getCents()).isEqualTo(first.get(i - 1));
    }
  }

  @Test
  void expiryRefundsWhatIsLeftAndLaterClaimsAreTurnedAway() {
    share(bobs, "b1", "bob");
    long piece = claim("p/0/2", "c1", "carol").getCents();
    Sharing.Step expired = Sharing.expire(states.get("p/0/2"));
    apply(expired, null);
    assertThat(expired.move().getKind()).isEqualTo(ShareMove.REFUND);
    assertThat(expired.move().getCents()).isEqualTo(90 - piece);
    assertThat(expired.move().getTimestamp()).isEqualTo(3000L + EXPIRY);
    assertThat(claim("p/0/2", "c2", "dave").getResult()).isEqualTo(ShareCode.EXPIRED);
    assertThat(claim("p/0/2", "c1", "carol").getResult()).as("the winner's retry").isEqualTo(ShareCode.CLAIMED);
    assertThat(Sharing.expire(states.get("p/0/2")).move()).as("refunded once").isNull();
  }

  SharingAudit.Report audit() {
    return SharingAudit.run(new SharingAudit.Input(grants, requests, results, moves, ledger, states));
  }

  List<String> failed() {
    return audit().checks().stream().filter(c -> !c.passed()).map(Audit.Check::name).toList();
  }

  void wave() {
    share(alices, "a1", "alice");
    share(bobs, "b1", "bob");
    for (int i = 1; i <= 6; i++) {
      claim("p/0/1", "c" + i, "friend" + i);
    }
    claim("p/0/2", "d1", "friend1");
    apply(Sharing.expire(states.get("p/0/2")), null);
  }

  @Test
  void theAuditPassesAWaveAndAddsUpPerShare() {
    wave();
    SharingAudit.Report r = audit();
    assertThat(r.clean()).as(r.render()).isTrue();
    SharingAudit.PoolRow row = r.pools().get("p");
    assertThat(row.shares).isEqualTo(2);
    assertThat(row.claimedPieces).isEqualTo(6);
    assertThat(row.claimedCents + row.refundedCents + row.outstandingCents).isEqualTo(1090);
    assertThat(row.outstandingCents).isZero();
  }

  @Test
  void theAuditCatchesAPieceBookedTwiceAndAFriendWithTwoPieces() {
    wave();
    ledger.add(ledger.stream().filter(e -> e.getKind() == EntryKind.SHARE_CREDIT).findFirst().orElseThrow());
    ShareGrant piece = moves.stream().filter(m -> m.getKind() == ShareMove.PIECE).findFirst().orElseThrow();
    ShareGrant forged = ShareGrant.newBuilder(piece).setMoveId("p/0/1/piece/9").setPiece(9).build();
    moves.add(forged);
    assertThat(failed()).contains("every share movement decided once and booked once, to the cent",
        "one piece per friend, none for the sharer", "per share: claimed + refunded + outstanding = value");
  }

  @Test
  void theAuditCatchesAShareReservedForMoreThanItsGrantsAllowance() {
    wave();
    int i = moves.indexOf(moves.stream().filter(m -> m.getKind() == ShareMove.RESERVE).findFirst().orElseThrow());
    ShareGrant inflated = ShareGrant.newBuilder(moves.get(i)).setCents(moves.get(i).getCents() + 1).build();
    moves.set(i, inflated);
    ledger.replaceAll(e -> e.getEntryId().equals(inflated.getMoveId()) ? Sharing.entry(inflated) : e);
    assertThat(failed()).contains("per share: claimed + refunded + outstanding = value");
  }

  @Test
  void theAuditCatchesAForeignShareAndAnUnansweredClaim() {
    wave();
    results.replaceAll(r -> r.getResult() == ShareCode.SHARED && r.getUserId().equals("bob")
        ? ShareResult.newBuilder(r).setUserId("mallory").build() : r);
    requests.add(req("lost", "p/0/1", "friend9", ShareAction.CLAIM, 9000L));
    assertThat(failed()).contains("nobody shares a grant that is not theirs", "every share and claim answered, repeats alike");
  }

  @Property(tries = 300)
  void piecesAreAtLeastACentAndAddUpToTheValue(@ForAll @IntRange(min = 1, max = Sharing.MAX_PIECES) int pieces,
      @ForAll @LongRange(min = 0, max = 10_000_000) long extra) {
    long value = pieces + extra; // jqwik runs no @BeforeEach: the grant is made here
    GrantState g = opened(new Grant("p/0/1", "s1", "alice", "p", 0, 300L, 1L, 1000L, "acme", value, pieces));
    ShareState s = Sharing.share(g, null, req("a", "p/0/1", "alice", ShareAction.SHARE, 1L), EXPIRY).state();
    long sum = 0;
    for (int i = 1; i <= pieces; i++) {
      Sharing.Step step = Sharing.claim(s, req("c" + i, "p/0/1", "f" + i, ShareAction.CLAIM, 2L));
      assertThat(step.move().getCents()).isBetween(1L, value);
      sum += step.move().getCents();
      s = step.state();
    }
    assertThat(sum).isEqualTo(value);
    assertThat(s.getPhase()).isEqualTo(SharePhase.ALL_CLAIMED);
    assertThat(g.getState()).isEqualTo(GrantPhase.OPENED);
  }
}
