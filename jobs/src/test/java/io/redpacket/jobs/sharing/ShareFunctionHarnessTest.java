package io.redpacket.jobs.sharing;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareCode;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareMove;
import io.redpacket.avro.SharePhase;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.core.Settlement;
import io.redpacket.jobs.common.BufferingCoProcessOperator;
import io.redpacket.jobs.common.HarnessReads;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sharing operator on RocksDB: races for the last piece, expiry, foreign and repeated claims, waits, restore. */
class ShareFunctionHarnessTest {
  static final long T0 = 1_700_000_000_000L;
  static final Duration EXPIRY = Duration.ofMinutes(10);
  static final Duration WAIT = Duration.ofSeconds(5);
  static final Duration RETENTION = Duration.ofMinutes(1);
  static final Duration GRACE = Duration.ofSeconds(30);
  static final long REFUND = T0 + 10 + EXPIRY.toMillis() + GRACE.toMillis();

  KeyedTwoInputStreamOperatorTestHarness<String, GrantState, ShareRequest, ShareGrant> share;

  @BeforeEach
  void open() throws Exception {
    share = harness();
    share.open();
    share.setProcessingTime(T0);
  }

  static KeyedTwoInputStreamOperatorTestHarness<String, GrantState, ShareRequest, ShareGrant> harness() throws Exception {
    return harness(new ShareFunction(new SharingSettings(EXPIRY, WAIT, RETENTION, GRACE)));
  }

  /** The function in the job's operator, which writes the share states waiting on the heap before each checkpoint. */
  static KeyedTwoInputStreamOperatorTestHarness<String, GrantState, ShareRequest, ShareGrant> harness(ShareFunction f)
      throws Exception {
    var h = new KeyedTwoInputStreamOperatorTestHarness<>(new BufferingCoProcessOperator<>(f),
        GrantState::getGrantId, ShareRequest::getShareId, Types.STRING, 128, 1, 0);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    return h;
  }

  @AfterEach
  void close() throws Exception {
    share.close();
  }

  /** Alice's opened grant g1, with a group packet of 100 cents in 3 pieces. */
  static GrantState opened(String grantId, String owner) {
    Grant g = new Grant(grantId, "s-" + grantId, owner, "p1", 0, 500L, 1L, T0, "acme", 100L, 3);
    GrantState granted = Settlement.grant(g).state();
    return GrantState.newBuilder(granted).setState(GrantPhase.OPENED).setOpenId("o").setOpenedMillis(T0 + 1).build();
  }

  static ShareRequest shareReq(String id, String user) {
    return new ShareRequest(id, "g1", user, ShareAction.SHARE, T0 + 10);
  }

  static ShareRequest claim(String id, String user, long at) {
    return new ShareRequest(id, "g1", user, ShareAction.CLAIM, at);
  }

  void in(GrantState s) throws Exception {
    share.processElement1(new StreamRecord<>(s));
  }

  void in(ShareRequest r) throws Exception {
    share.processElement2(new StreamRecord<>(r));
  }

  List<ShareGrant> moves() {
    return share.extractOutputValues();
  }

  List<ShareResult> results() {
    return side(ShareFunction.RESULTS);
  }

  List<ShareState> states() {
    return side(ShareFunction.STATES);
  }

  <T> List<T> side(org.apache.flink.util.OutputTag<T> tag) {
    return HarnessReads.side(share, tag);
  }

  List<ShareCode> codes() {
    return results().stream().map(ShareResult::getResult).toList();
  }

  /** What the job does each checkpoint interval: the operator's work before the barrier, then the snapshot. */
  OperatorSubtaskState checkpoint(long id) throws Exception {
    share.prepareSnapshotPreBarrier(id);
    return share.snapshot(id, T0 + id);
  }

  long keysIn(String state) throws Exception {
    return HarnessReads.keysIn(share, state);
  }

  /** The requests' event time (the job's watermark) has reached {@code t}; the grant states hold none back. */
  void requestsReadUpTo(long t) throws Exception {
    share.processWatermarkStatus1(WatermarkStatus.IDLE);
    share.processWatermark2(new Watermark(t));
  }

  @Test
  void aClaimStampedBeforeTheExpiryCountsHoweverLongAfterItTheJobReadsItAndTheRestIsRefundedByEventTime()
      throws Exception {
    in(opened("g1", "alice"));
    in(shareReq("a1", "alice"));
    requestsReadUpTo(T0 + 1_000);
    long expires = T0 + 10 + EXPIRY.toMillis();
    share.setProcessingTime(REFUND + 3_600_000); // the job stood still for an hour past the expiry and the grace
    assertThat(moves()).as("nothing refunded by the wall clock alone").extracting(ShareGrant::getKind)
        .containsExactly(ShareMove.RESERVE);
    in(claim("c1", "bob", expires - 1)); // read from the backlog: claimed just in time
    assertThat(codes()).containsExactly(ShareCode.SHARED, ShareCode.CLAIMED);
    requestsReadUpTo(REFUND - 1);
    assertThat(moves()).hasSize(2);
    requestsReadUpTo(REFUND);
    assertThat(moves()).extracting(ShareGrant::getKind).containsExactly(ShareMove.RESERVE, ShareMove.PIECE,
        ShareMove.REFUND);
    assertThat(moves().get(2).getCents()).isEqualTo(100 - moves().get(1).getCents());
  }

  @Test
  void theEndOfABoundedInputRefundsNothing() throws Exception {
    in(opened("g1", "alice"));
    in(shareReq("a1", "alice"));
    requestsReadUpTo(Long.MAX_VALUE);
    assertThat(moves()).extracting(ShareGrant::getKind).containsExactly(ShareMove.RESERVE);
  }

  @Test
  void friendsRaceForTheLastPieceAndOnlyOneWinsIt() throws Exception {
    in(opened("g1", "alice"));
    in(shareReq("a1", "alice"));
    in(claim("c1", "bob", T0 + 20));
    in(claim("c2", "carol", T0 + 21));
    in(claim("c3", "dave", T0 + 22)); // the last piece: dave and erin tap together, dave's came first
    in(claim("c4", "erin", T0 + 22));
    assertThat(codes()).containsExactly(ShareCode.SHARED, ShareCode.CLAIMED, ShareCode.CLAIMED, ShareCode.CLAIMED,
        ShareCode.ALL_CLAIMED);
    assertThat(moves()).extracting(ShareGrant::getKind).containsExactly(ShareMove.RESERVE, ShareMove.PIECE,
        ShareMove.PIECE, ShareMove.PIECE);
    assertThat(moves().stream().filter(m -> m.getKind() == ShareMove.PIECE).mapToLong(ShareGrant::getCents).sum())
        .isEqualTo(100);
    assertThat(states().get(states().size() - 1).getPhase()).isEqualTo(SharePhase.ALL_CLAIMED);
    requestsReadUpTo(REFUND);
    assertThat(moves()).as("nothing left to refund").hasSize(4);
  }

  @Test
  void theSharerForeignersAndRepeatedClaimsGetClearAnswersAndNoMoney() throws Exception {
    in(opened("g1", "alice"));
    in(shareReq("m1", "mallory")); // not her grant
    in(shareReq("a1", "alice"));
    in(shareReq("a1", "alice")); // the client retried
    in(shareReq("a2", "alice")); // a second share of the same grant
    in(claim("c0", "alice", T0 + 20)); // the sharer
    in(claim("c1", "bob", T0 + 21));
    in(claim("c1", "bob", T0 + 22)); // bob's client retried
    in(claim("c1b", "bob", T0 + 23)); // bob tapped again
    assertThat(codes()).containsExactly(ShareCode.NOT_OWNER, ShareCode.SHARED, ShareCode.SHARED,
        ShareCode.ALREADY_SHARED, ShareCode.OWN_SHARE, ShareCode.CLAIMED, ShareCode.CLAIMED, ShareCode.ALREADY_CLAIMED);
    assertThat(results().get(6).getCents()).isEqualTo(results().get(5).getCents());
    assertThat(moves()).extracting(ShareGrant::getKind).containsExactly(ShareMove.RESERVE, ShareMove.PIECE);
  }

  @Test
  void expiryRefundsTheRestOnceAndLaterClaimsAreTurnedAwayThenStateGoes() throws Exception {
    in(opened("g1", "alice"));
    in(shareReq("a1", "alice"));
    in(claim("c1", "bob", T0 + 20));
    long piece = moves().get(1).getCents();
    requestsReadUpTo(REFUND);
    ShareGrant refund = moves().get(2);
    assertThat(refund.getKind()).isEqualTo(ShareMove.REFUND);
    assertThat(refund.getCents()).isEqualTo(100 - piece);
    assertThat(refund.getTimestamp()).as("event time: the share's expiry").isEqualTo(T0 + 10 + EXPIRY.toMillis());
    in(claim("c2", "carol", T0 + 30));
    in(claim("c1", "bob", T0 + 31));
    assertThat(codes().subList(2, 4)).containsExactly(ShareCode.EXPIRED, ShareCode.CLAIMED);
    checkpoint(1);
    assertThat(keysIn("share")).isEqualTo(1);
    requestsReadUpTo(REFUND + RETENTION.toMillis());
    assertThat(moves()).as("refunded once").hasSize(3);
    checkpoint(2);
    assertThat(keysIn("share") + keysIn("grant")).isZero();
    assertThat(share.numProcessingTimeTimers()).isZero();
    assertThat(share.numEventTimeTimers()).isZero();
  }

  @Test
  void claimsAreDecidedByTheirOwnTimeStampAndTheRefundWaitsForTheGrace() throws Exception {
    in(opened("g1", "alice"));
    in(shareReq("a1", "alice"));
    long expires = T0 + 10 + EXPIRY.toMillis();
    requestsReadUpTo(expires + 1_000); // past the expiry, within the grace: no refund yet
    in(claim("late", "bob", expires)); // stamped at the expiry: too late, whenever it arrives
    in(claim("slow", "carol", expires - 1)); // stamped before it, arriving during the grace: it counts
    assertThat(codes()).containsExactly(ShareCode.SHARED, ShareCode.EXPIRED, ShareCode.CLAIMED);
    assertThat(moves()).extracting(ShareGrant::getKind).containsExactly(ShareMove.RESERVE, ShareMove.PIECE);
    requestsReadUpTo(REFUND);
    assertThat(moves()).extracting(ShareGrant::getKind).containsExactly(ShareMove.RESERVE, ShareMove.PIECE,
        ShareMove.REFUND);
    assertThat(moves().get(2).getCents()).isEqualTo(100 - moves().get(1).getCents());
  }

  @Test
  void aShareWaitsForItsGrantToBeSeenOpenedAndClaimsWaitForTheirShare() throws Exception {
    in(claim("c1", "bob", T0 + 5)); // the friend's claim overtook everything
    in(shareReq("a1", "alice"));
    GrantState granted = GrantState.newBuilder(opened("g1", "alice")).setState(GrantPhase.GRANTED).build();
    in(granted);
    assertThat(results()).as("not opened yet: still waiting").isEmpty();
    in(opened("g1", "alice"));
    assertThat(codes()).containsExactly(ShareCode.SHARED, ShareCode.CLAIMED);
    share.setProcessingTime(T0 + WAIT.toMillis() + 1);
    assertThat(results()).hasSize(2);
  }

  @Test
  void claimsThatCameBeforeTheirShareAreDecidedWhenTheShareIsMade() throws Exception {
    in(opened("g1", "alice")); // the grant is known before anything else
    in(claim("c1", "bob", T0 + 5));
    in(claim("c2", "carol", T0 + 6));
    assertThat(results()).isEmpty();
    in(shareReq("a1", "alice"));
    assertThat(codes()).containsExactly(ShareCode.SHARED, ShareCode.CLAIMED, ShareCode.CLAIMED);
    share.setProcessingTime(T0 + WAIT.toMillis() + 1);
    assertThat(results()).as("the wait timer finds nothing left").hasSize(3);
  }

  @Test
  void aClaimWaitingAtACheckpointIsInItAndDecidedWhenItsShareComesAfterARestore() throws Exception {
    in(opened("g1", "alice"));
    in(claim("c1", "bob", T0 + 20)); // before its share: it waits
    assertThat(codes()).isEmpty();
    OperatorSubtaskState snapshot = checkpoint(1);
    share.close();
    share = harness();
    share.initializeState(snapshot);
    share.open();
    share.setProcessingTime(T0 + 1);
    in(shareReq("a1", "alice"));
    assertThat(codes()).containsExactly(ShareCode.SHARED, ShareCode.CLAIMED);
    checkpoint(2);
    assertThat(keysIn("requests-waiting")).as("no longer waiting, at the next checkpoint").isZero();
  }

  @Test
  void requestsThatWaitInVainAreAnswered() throws Exception {
    in(shareReq("a1", "alice")); // the grant is never seen opened
    in(new ShareRequest("c1", "g2", "bob", ShareAction.CLAIM, T0)); // no such share
    share.setProcessingTime(T0 + WAIT.toMillis());
    assertThat(codes()).containsExactlyInAnyOrder(ShareCode.NOT_OPENED, ShareCode.UNKNOWN_SHARE);
    assertThat(moves()).isEmpty();
  }

  @Test
  void theWaitsDeadlineIsSetByTheFirstWaiterAndDoesNotMoveWhenOthersArrive() throws Exception {
    in(new ShareRequest("c1", "g2", "bob", ShareAction.CLAIM, T0)); // no such share: waits
    share.setProcessingTime(T0 + WAIT.toMillis() - 1);
    in(new ShareRequest("c2", "g2", "carol", ShareAction.CLAIM, T0 + WAIT.toMillis() - 1));
    share.setProcessingTime(T0 + WAIT.toMillis());
    assertThat(codes()).as("both given up at the first one's deadline")
        .containsExactly(ShareCode.UNKNOWN_SHARE, ShareCode.UNKNOWN_SHARE);
    assertThat(keysIn("requests-waiting")).isZero();
  }

  @Test
  void theRequestsWaitingOnOneKeyAreCappedTheRestAnsweredAtOnce() throws Exception {
    int cap = io.redpacket.core.Waiting.MAX_PER_KEY;
    for (int i = 0; i < cap + 10; i++) {
      in(new ShareRequest("c" + i, "g2", "user" + i, ShareAction.CLAIM, T0));
    }
    assertThat(codes()).as("beyond the cap: answered at once, not held").hasSize(10)
        .containsOnly(ShareCode.UNKNOWN_SHARE);
    share.setProcessingTime(T0 + WAIT.toMillis());
    assertThat(codes()).hasSize(cap + 10);
  }

  @Test
  void anOpenedGrantNeverSharedIsForgottenAfterTheRetention() throws Exception {
    in(opened("g1", "alice"));
    assertThat(keysIn("grant")).isEqualTo(1);
    requestsReadUpTo(T0 + RETENTION.toMillis());
    assertThat(keysIn("grant")).isZero();
  }

  @Test
  void aShareGoesOnFromASnapshot() throws Exception {
    in(opened("g1", "alice"));
    in(shareReq("a1", "alice"));
    in(claim("c1", "bob", T0 + 20));
    long bobs = moves().get(1).getCents();
    OperatorSubtaskState snapshot = checkpoint(1);
    share.close();
    share = harness();
    share.initializeState(snapshot);
    share.open();
    share.setProcessingTime(T0);
    in(claim("c1", "bob", T0 + 30)); // the retry after the restore: same piece
    in(claim("c2", "carol", T0 + 31));
    assertThat(codes()).containsExactly(ShareCode.CLAIMED, ShareCode.CLAIMED);
    assertThat(results().get(0).getCents()).as("the same piece, the same cents").isEqualTo(bobs);
    assertThat(moves()).extracting(ShareGrant::getPiece).containsExactly(2);
    requestsReadUpTo(REFUND);
    assertThat(moves()).extracting(ShareGrant::getKind).containsExactly(ShareMove.PIECE, ShareMove.REFUND);
  }

  @Test
  void aShareAndItsClaimsBetweenTwoCheckpointsAreWrittenToStateOnceAtTheCheckpoint() throws Exception {
    in(opened("g1", "alice"));
    in(shareReq("a1", "alice"));
    in(claim("c1", "bob", T0 + 20));
    in(claim("c2", "carol", T0 + 21));
    assertThat(keysIn("share")).as("on the heap until the checkpoint").isZero();
    in(claim("c1", "bob", T0 + 22)); // decided from the heap: the same piece again
    assertThat(codes()).containsExactly(ShareCode.SHARED, ShareCode.CLAIMED, ShareCode.CLAIMED, ShareCode.CLAIMED);
    assertThat(moves()).extracting(ShareGrant::getPiece).containsExactly(0, 1, 2);
    checkpoint(1);
    assertThat(keysIn("share")).isEqualTo(1);
    in(claim("c3", "dave", T0 + 23)); // read back from RocksDB: the third and last piece
    assertThat(moves()).extracting(ShareGrant::getPiece).containsExactly(0, 1, 2, 3);
  }

  @Test
  void theHeapHoldsAtMostItsBoundOfSharesAndWritesThemAllWhenItIsReached() throws Exception {
    share.close();
    share = harness(new ShareFunction(new SharingSettings(EXPIRY, WAIT, RETENTION, GRACE), 1));
    share.open();
    share.setProcessingTime(T0);
    in(opened("g1", "alice"));
    in(shareReq("a1", "alice"));
    assertThat(keysIn("share")).isZero();
    share.processElement1(new StreamRecord<>(GrantState.newBuilder(opened("g1", "alice")).setGrantId("g2").build()));
    share.processElement2(new StreamRecord<>(new ShareRequest("a2", "g2", "alice", ShareAction.SHARE, T0 + 10)));
    assertThat(keysIn("share")).as("a second share: both written").isEqualTo(2);
    share.processElement2(new StreamRecord<>(new ShareRequest("c9", "g2", "bob", ShareAction.CLAIM, T0 + 20)));
    assertThat(codes()).containsExactly(ShareCode.SHARED, ShareCode.SHARED, ShareCode.CLAIMED);
  }

  @Test
  void theEndOfTheInputWritesTheHeapToState() throws Exception {
    in(opened("g1", "alice"));
    in(shareReq("a1", "alice"));
    assertThat(keysIn("share")).isZero();
    share.getOperator().finish(); // a bounded input ended, or a stop with a drain: the final checkpoint follows
    assertThat(keysIn("share")).isEqualTo(1);
  }
}
