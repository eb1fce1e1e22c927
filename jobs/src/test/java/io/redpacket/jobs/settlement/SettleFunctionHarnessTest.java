package io.redpacket.jobs.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenCode;
import io.redpacket.avro.OpenResult;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareMove;
import io.redpacket.avro.Wallet;
import io.redpacket.core.Settlement;
import io.redpacket.jobs.common.BufferingCoProcessOperator;
import io.redpacket.jobs.common.HarnessReads;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The settlement and wallet functions alone, on RocksDB state, driven element by element, by the opens'
 * event time (refunds) and by processing time (waits).
 */
class SettleFunctionHarnessTest {
  static final long T0 = 1_000_000L;
  static final Duration EXPIRY = Duration.ofSeconds(30);
  static final Duration OPEN_WAIT = Duration.ofSeconds(5);
  static final Duration RETENTION = Duration.ofSeconds(60);
  static final Duration GRACE = Duration.ofSeconds(10);

  KeyedTwoInputStreamOperatorTestHarness<String, Grant, Open, LedgerEntry> settle;

  long checkpoints;

  @BeforeEach
  void open() throws Exception {
    settle = settleHarness(1, 0);
    settle.open();
    settle.setProcessingTime(T0);
  }

  /**
   * The function in the job's operator, which holds grants on the heap between checkpoints; subtask {@code index} of
   * {@code parallelism}.
   */
  static KeyedTwoInputStreamOperatorTestHarness<String, Grant, Open, LedgerEntry> settleHarness(int parallelism,
      int index) throws Exception {
    var h = new KeyedTwoInputStreamOperatorTestHarness<>(
        new BufferingCoProcessOperator<>(new SettleFunction(new SettlementSettings(EXPIRY, OPEN_WAIT, RETENTION, GRACE))),
        Grant::getGrantId, Open::getGrantId, Types.STRING, 128, parallelism, index);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    return h;
  }

  static KeyedTwoInputStreamOperatorTestHarness<String, GrantState, ShareGrant, GrantState> walletHarness()
      throws Exception {
    var h = new KeyedTwoInputStreamOperatorTestHarness<>(new BufferingCoProcessOperator<>(new WalletFunction()),
        GrantState::getUserId, ShareGrant::getUserId, Types.STRING);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    return h;
  }

  /** What the job does each checkpoint interval: the operator's work before the barrier, then the snapshot. */
  static OperatorSubtaskState checkpoint(AbstractStreamOperatorTestHarness<?> h, long id) throws Exception {
    h.prepareSnapshotPreBarrier(id);
    return h.snapshot(id, T0 + id);
  }

  @AfterEach
  void close() throws Exception {
    settle.close();
  }

  static Grant grant(String id, String user, long cents) {
    return new Grant(id, "s-" + id, user, "p1", 0, cents, 1L, T0, "acme", 0L, 0);
  }

  static Open open(String openId, String grantId, String user, long ts) {
    return new Open(openId, grantId, user, ts);
  }

  List<LedgerEntry> ledger() {
    return settle.extractOutputValues();
  }

  List<OpenResult> results() {
    return side(SettleFunction.RESULTS);
  }

  List<GrantState> states() {
    return side(SettleFunction.STATES);
  }

  <T> List<T> side(org.apache.flink.util.OutputTag<T> tag) {
    return HarnessReads.side(settle, tag);
  }

  /** The keys in RocksDB once the heap is written out, as before a checkpoint. */
  long keysIn(String state) throws Exception {
    settle.prepareSnapshotPreBarrier(++checkpoints);
    return HarnessReads.keysIn(settle, state);
  }

  @Test
  void grantThenOpenReservesAndCreditsOnceAndAnswersRepeatsAlike() throws Exception {
    settle.processElement1(new StreamRecord<>(grant("g1", "alice", 250)));
    settle.processElement2(new StreamRecord<>(open("o1", "g1", "alice", T0 + 100)));
    settle.processElement2(new StreamRecord<>(open("o1", "g1", "alice", T0 + 200))); // the client retried
    settle.processElement2(new StreamRecord<>(open("o2", "g1", "alice", T0 + 300))); // a second open

    assertThat(ledger()).extracting(LedgerEntry::getKind).containsExactly(EntryKind.RESERVE, EntryKind.CREDIT);
    LedgerEntry credit = ledger().get(1);
    assertThat(credit.getDebitAccount()).isEqualTo("pool:p1");
    assertThat(credit.getCreditAccount()).isEqualTo("wallet:alice");
    assertThat(credit.getDebitCents()).isEqualTo(250).isEqualTo(credit.getCreditCents());
    assertThat(results()).extracting(OpenResult::getResult)
        .containsExactly(OpenCode.OPENED, OpenCode.OPENED, OpenCode.ALREADY_OPENED);
    assertThat(results()).extracting(OpenResult::getCents).containsOnly(250L);
    assertThat(states()).extracting(GrantState::getState).containsExactly(GrantPhase.GRANTED, GrantPhase.OPENED);

    opensReadUpTo(T0 + EXPIRY.toMillis() + GRACE.toMillis()); // an opened grant is never refunded
    assertThat(ledger()).hasSize(2);
  }

  /** The opens' event time (the job's watermark) has reached {@code t}; the grants input holds none back. */
  void opensReadUpTo(long t) throws Exception {
    settle.processWatermarkStatus1(WatermarkStatus.IDLE);
    settle.processWatermark2(new Watermark(t));
  }

  @Test
  void anOpenStampedBeforeTheExpiryIsCreditedHoweverLongAfterItTheJobReadsItAndOnlyUnopenedGrantsAreRefunded()
      throws Exception {
    settle.processElement1(new StreamRecord<>(grant("g1", "alice", 250)));
    settle.processElement1(new StreamRecord<>(grant("g2", "bob", 70)));
    opensReadUpTo(T0 + 1_000);
    // The job stood still (a restore, a long lag) for an hour, far past the expiry and the grace, by the wall clock.
    settle.setProcessingTime(T0 + EXPIRY.toMillis() + GRACE.toMillis() + 3_600_000);
    assertThat(ledger()).as("nothing refunded by the wall clock alone").extracting(LedgerEntry::getKind)
        .containsExactly(EntryKind.RESERVE, EntryKind.RESERVE);
    // Now it reads the backlog: alice opened just before the expiry.
    settle.processElement2(new StreamRecord<>(open("o1", "g1", "alice", T0 + EXPIRY.toMillis() - 1)));
    assertThat(results()).extracting(OpenResult::getResult).containsExactly(OpenCode.OPENED);
    opensReadUpTo(T0 + EXPIRY.toMillis() + GRACE.toMillis() - 1);
    assertThat(ledger()).hasSize(3);
    opensReadUpTo(T0 + EXPIRY.toMillis() + GRACE.toMillis()); // the opens read have passed the expiry and the grace
    assertThat(ledger()).extracting(LedgerEntry::getKind)
        .containsExactly(EntryKind.RESERVE, EntryKind.RESERVE, EntryKind.CREDIT, EntryKind.REFUND);
    assertThat(ledger().get(3).getEntryId()).isEqualTo("g2/refund");
    assertThat(ledger().get(3).getTimestamp()).isEqualTo(T0 + EXPIRY.toMillis());
  }

  @Test
  void theEndOfABoundedInputRefundsNothing() throws Exception {
    settle.processElement1(new StreamRecord<>(grant("g1", "alice", 250)));
    opensReadUpTo(Long.MAX_VALUE); // a bounded run ends: nothing is known about time, no grant has expired
    assertThat(ledger()).extracting(LedgerEntry::getKind).containsExactly(EntryKind.RESERVE);
  }

  @Test
  void anOpenThatComesBeforeItsGrantWaitsAndIsSettledWhenTheGrantArrives() throws Exception {
    settle.processElement2(new StreamRecord<>(open("o1", "g1", "alice", T0)));
    assertThat(ledger()).isEmpty();
    assertThat(results()).isEmpty();
    settle.setProcessingTime(T0 + OPEN_WAIT.toMillis() - 1);
    settle.processElement1(new StreamRecord<>(grant("g1", "alice", 99)));
    assertThat(ledger()).extracting(LedgerEntry::getKind).containsExactly(EntryKind.RESERVE, EntryKind.CREDIT);
    assertThat(results()).extracting(OpenResult::getResult).containsExactly(OpenCode.OPENED);
    settle.setProcessingTime(T0 + OPEN_WAIT.toMillis() + 1); // the wait timer finds the grant: nothing more
    assertThat(results()).hasSize(1);
    assertThat(keysIn("opens-waiting-for-grant")).isZero();

    // What the waiting open did is kept with the grant (one write for both): a retry of it is answered alike and
    // credits nothing more, and the expiry refunds nothing.
    settle.processElement2(new StreamRecord<>(open("o1", "g1", "alice", T0 + 10)));
    assertThat(results()).extracting(OpenResult::getResult).containsExactly(OpenCode.OPENED, OpenCode.OPENED);
    opensReadUpTo(T0 + EXPIRY.toMillis() + GRACE.toMillis());
    assertThat(ledger()).extracting(LedgerEntry::getKind).containsExactly(EntryKind.RESERVE, EntryKind.CREDIT);
  }

  @Test
  void opensWaitingAtACheckpointAreInItAndSettledWhenTheirGrantsComeBeforeOrAfterARestore() throws Exception {
    settle.processElement2(new StreamRecord<>(open("o1", "g1", "alice", T0)));
    settle.processElement2(new StreamRecord<>(open("o2", "g2", "bob", T0)));
    var snapshot = checkpoint(settle, 1); // both still wait for their grants
    settle.processElement1(new StreamRecord<>(grant("g1", "alice", 99))); // g1 comes before a failure
    assertThat(results()).extracting(OpenResult::getResult).containsExactly(OpenCode.OPENED);
    assertThat(keysIn("opens-waiting-for-grant")).as("g1's open no longer waits; g2's does").isEqualTo(1);

    settle.close();
    settle = settleHarness(1, 0);
    settle.initializeState(snapshot);
    settle.open();
    settle.setProcessingTime(T0 + 1);
    settle.processElement1(new StreamRecord<>(grant("g1", "alice", 99))); // replayed after the restore
    settle.processElement1(new StreamRecord<>(grant("g2", "bob", 40)));
    assertThat(ledger()).extracting(LedgerEntry::getKind)
        .containsExactly(EntryKind.RESERVE, EntryKind.CREDIT, EntryKind.RESERVE, EntryKind.CREDIT);
    assertThat(results()).extracting(OpenResult::getOpenId).containsExactly("o1", "o2");
    assertThat(keysIn("opens-waiting-for-grant")).isZero();
  }

  @Test
  void anOpenWhoseGrantNeverComesIsAnsweredUnknownAfterTheWait() throws Exception {
    settle.processElement2(new StreamRecord<>(open("o1", "nope", "alice", T0)));
    settle.setProcessingTime(T0 + OPEN_WAIT.toMillis());
    assertThat(results()).extracting(OpenResult::getResult).containsExactly(OpenCode.UNKNOWN_GRANT);
    assertThat(ledger()).isEmpty();
    assertThat(keysIn("opens-waiting-for-grant")).isZero();
  }

  @Test
  void aForeignOpenIsRefusedAndRecordedAndTheOwnerCanStillOpen() throws Exception {
    settle.processElement1(new StreamRecord<>(grant("g1", "alice", 250)));
    settle.processElement2(new StreamRecord<>(open("x1", "g1", "mallory", T0 + 10)));
    settle.processElement2(new StreamRecord<>(open("o1", "g1", "alice", T0 + 20)));
    assertThat(results()).extracting(OpenResult::getResult).containsExactly(OpenCode.NOT_OWNER, OpenCode.OPENED);
    assertThat(results().get(0).getCents()).as("the packet's value is not shown to others").isNull();
    assertThat(ledger()).extracting(LedgerEntry::getCreditAccount).containsExactly("pool:p1", "wallet:alice");
  }

  @Test
  void anOpenStampedBeforeTheExpiryThatArrivesWithinTheGraceIsHonoured() throws Exception {
    settle.processElement1(new StreamRecord<>(grant("g1", "alice", 250)));
    opensReadUpTo(T0 + EXPIRY.toMillis() + GRACE.toMillis() / 2); // written late, within the grace
    settle.processElement2(new StreamRecord<>(open("o1", "g1", "alice", T0 + EXPIRY.toMillis() - 1)));
    assertThat(results()).extracting(OpenResult::getResult).containsExactly(OpenCode.OPENED);
    opensReadUpTo(T0 + EXPIRY.toMillis() + GRACE.toMillis());
    assertThat(ledger()).extracting(LedgerEntry::getKind).as("credited, never refunded")
        .containsExactly(EntryKind.RESERVE, EntryKind.CREDIT);
  }

  @Test
  void anOpenStampedAtOrAfterTheExpiryIsExpiredEvenBeforeTheRefundRuns() throws Exception {
    settle.processElement1(new StreamRecord<>(grant("g1", "alice", 250)));
    opensReadUpTo(T0 + EXPIRY.toMillis() - 10); // the refund has not run: the open's own time decides
    settle.processElement2(new StreamRecord<>(open("o1", "g1", "alice", T0 + EXPIRY.toMillis())));
    assertThat(results()).extracting(OpenResult::getResult).containsExactly(OpenCode.EXPIRED);
    opensReadUpTo(T0 + EXPIRY.toMillis() + GRACE.toMillis());
    assertThat(ledger()).extracting(LedgerEntry::getKind).containsExactly(EntryKind.RESERVE, EntryKind.REFUND);
  }

  @Test
  void theOpensWaitingForOneGrantAreCappedTheRestAnsweredAtOnce() throws Exception {
    int cap = io.redpacket.core.Waiting.MAX_PER_KEY;
    for (int i = 0; i < cap + 5; i++) {
      settle.processElement2(new StreamRecord<>(open("o" + i, "nope", "user" + i, T0)));
    }
    assertThat(results()).as("beyond the cap: answered at once").hasSize(5)
        .extracting(OpenResult::getResult).containsOnly(OpenCode.UNKNOWN_GRANT);
    settle.setProcessingTime(T0 + OPEN_WAIT.toMillis());
    assertThat(results()).hasSize(cap + 5);
  }

  @Test
  void anUnopenedGrantIsRefundedAtExpiryAndLateOpensAreAnsweredExpiredThenStateIsFreed() throws Exception {
    settle.processElement1(new StreamRecord<>(grant("g1", "alice", 250)));
    opensReadUpTo(T0 + EXPIRY.toMillis() + GRACE.toMillis() - 1);
    assertThat(ledger()).hasSize(1);
    opensReadUpTo(T0 + EXPIRY.toMillis() + GRACE.toMillis());
    assertThat(ledger()).extracting(LedgerEntry::getKind).containsExactly(EntryKind.RESERVE, EntryKind.REFUND);
    LedgerEntry refund = ledger().get(1);
    assertThat(refund.getDebitAccount()).isEqualTo("pool:p1");
    assertThat(refund.getCreditAccount()).isEqualTo("sponsor:acme");
    assertThat(refund.getTimestamp()).as("event time, not the wall clock").isEqualTo(T0 + EXPIRY.toMillis());
    assertThat(states()).extracting(GrantState::getState).containsExactly(GrantPhase.GRANTED, GrantPhase.EXPIRED);

    settle.processElement2(new StreamRecord<>(open("o1", "g1", "alice", T0 + EXPIRY.toMillis() + 5)));
    assertThat(results()).extracting(OpenResult::getResult).containsExactly(OpenCode.EXPIRED);
    assertThat(keysIn(SettleFunction.STATE)).isEqualTo(1);

    opensReadUpTo(T0 + EXPIRY.toMillis() + GRACE.toMillis() + RETENTION.toMillis());
    assertThat(keysIn(SettleFunction.STATE)).isZero();
    assertThat(settle.numProcessingTimeTimers()).isZero();
    assertThat(settle.numEventTimeTimers()).isZero();
    assertThat(ledger()).hasSize(2);
  }

  @Test
  void stateSurvivesASnapshotAndRestore() throws Exception {
    settle.processElement1(new StreamRecord<>(grant("g1", "alice", 250)));
    var snapshot = checkpoint(settle, 1);
    settle.close();
    settle = settleHarness(1, 0);
    settle.initializeState(snapshot);
    settle.open();
    settle.setProcessingTime(T0 + 1);
    settle.processElement2(new StreamRecord<>(open("o1", "g1", "alice", T0 + 1)));
    settle.processElement2(new StreamRecord<>(open("o2", "g1", "alice", T0 + 2)));
    assertThat(ledger()).extracting(LedgerEntry::getKind).containsExactly(EntryKind.CREDIT);
    assertThat(results()).extracting(OpenResult::getResult).containsExactly(OpenCode.OPENED, OpenCode.ALREADY_OPENED);
  }

  /** A grant id whose key group goes to subtask {@code index} of 2. */
  static String grantIdOnSubtask(int index) {
    for (int i = 0; ; i++) {
      if (KeyGroupRangeAssignment.assignKeyToParallelOperator("g" + i, 128, 2) == index) {
        return "g" + i;
      }
    }
  }

  @Test
  void grantsHeldBeforeARescaleAreNeitherReservedAgainNorReplacedOnTheSubtaskThatTakesThem() throws Exception {
    String[] ids = {grantIdOnSubtask(0), grantIdOnSubtask(1)};
    settle.processElement1(new StreamRecord<>(grant(ids[0], "alice", 250)));
    settle.processElement1(new StreamRecord<>(grant(ids[1], "bob", 70)));
    var snapshot = checkpoint(settle, 1); // both grants were on the heap until this checkpoint
    String[] owners = {"alice", "bob"};
    for (int index = 0; index < 2; index++) {
      try (var restored = settleHarness(2, index)) {
        restored.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, 128, 1, 2, index));
        restored.open();
        restored.setProcessingTime(T0 + 1);
        String id = ids[index];
        restored.processElement1(new StreamRecord<>(grant(id, owners[index], index == 0 ? 250 : 70))); // replayed
        restored.processElement1(new StreamRecord<>(grant(id, "mallory", 9_999))); // the same id, other content
        restored.processElement2(new StreamRecord<>(open("o" + index, id, owners[index], T0 + 2)));
        assertThat(restored.extractOutputValues()).as("subtask %d: only the credit, no second reserve", index)
            .extracting(LedgerEntry::getKind).containsExactly(EntryKind.CREDIT);
        assertThat(HarnessReads.side(restored, io.redpacket.jobs.common.DecodeFunction.DEAD_LETTERS))
            .extracting(d -> d.getError()).containsExactly("a different grant with the id of a known grant");
      }
    }
  }

  @Test
  void aWalletHeldOnTheHeapIsInTheCheckpointAndCountsOnAfterARestore() throws Exception {
    OperatorSubtaskState snapshot;
    try (var wallet = walletHarness()) {
      wallet.open();
      wallet.processElement1(new StreamRecord<>(GrantState.newBuilder(Settlement.grant(grant("g1", "alice", 250L)).state())
          .setState(GrantPhase.OPENED).setOpenId("o1").setOpenedMillis(T0 + 5).setTimestamp(T0 + 5).build()));
      snapshot = checkpoint(wallet, 1);
    }
    try (var wallet = walletHarness()) {
      wallet.initializeState(snapshot);
      wallet.open();
      wallet.processElement1(new StreamRecord<>(GrantState.newBuilder(Settlement.grant(grant("g2", "alice", 50L)).state())
          .setState(GrantPhase.OPENED).setOpenId("o2").setOpenedMillis(T0 + 6).setTimestamp(T0 + 6).build()));
      List<Wallet> wallets = wallet.getSideOutput(WalletFunction.WALLETS).stream().map(StreamRecord::getValue).toList();
      assertThat(wallets).extracting(Wallet::getBalanceCents).containsExactly(300L);
      assertThat(wallets).extracting(Wallet::getCredits).containsExactly(2L);
    }
  }

  @Test
  void walletsAddUpCreditsAndSharePiecesPerUserAndPassOtherStatesThrough() throws Exception {
    try (var wallet = walletHarness()) {
      wallet.open();
      GrantState granted = Settlement.grant(grant("g1", "alice", 250L)).state();
      wallet.processElement1(new StreamRecord<>(granted));
      wallet.processElement1(new StreamRecord<>(GrantState.newBuilder(granted).setState(GrantPhase.OPENED)
          .setOpenId("o1").setOpenedMillis(T0 + 5).build()));
      wallet.processElement1(new StreamRecord<>(GrantState.newBuilder(Settlement.grant(grant("g2", "alice", 50L)).state())
          .setState(GrantPhase.OPENED).setOpenId("o2").setOpenedMillis(T0 + 6).setTimestamp(T0 + 6).build()));
      wallet.processElement2(new StreamRecord<>(new ShareGrant("g9/piece/2", ShareMove.PIECE, "g9", "p1", "acme", "bob",
          "alice", 2, 7L, T0 + 7)));
      assertThat(wallet.extractOutputValues()).extracting(GrantState::getState)
          .containsExactly(GrantPhase.GRANTED, GrantPhase.CREDITED, GrantPhase.CREDITED);
      List<Wallet> wallets = wallet.getSideOutput(WalletFunction.WALLETS).stream().map(StreamRecord::getValue).toList();
      assertThat(wallets).extracting(Wallet::getBalanceCents).containsExactly(250L, 300L, 307L);
      assertThat(wallets).extracting(Wallet::getCredits).containsExactly(1L, 2L, 3L);
      assertThat(wallets.get(1).getLastEntryId()).isEqualTo("g2/credit");
      assertThat(wallets.get(2).getLastEntryId()).isEqualTo("g9/piece/2");
    }
  }

  @Test
  void aShareMovementIsBookedOnceEvenIfItComesTwiceAndPiecesGoToTheWallets() throws Exception {
    try (var book = new org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness<>(
        new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(new BookShareFunction(RETENTION)),
        ShareGrant::getShareId, Types.STRING)) {
      book.setStateBackend(new EmbeddedRocksDBStateBackend());
      book.open();
      book.setProcessingTime(T0);
      ShareGrant reserve = new ShareGrant("g9/reserve", ShareMove.RESERVE, "g9", "p1", "acme", "bob", "bob", 0, 100L, T0);
      ShareGrant piece = new ShareGrant("g9/piece/1", ShareMove.PIECE, "g9", "p1", "acme", "bob", "alice", 1, 30L, T0);
      for (ShareGrant m : List.of(reserve, piece, reserve, piece)) { // the topic read twice
        book.processElement(new StreamRecord<>(m));
      }
      assertThat(book.extractOutputValues()).extracting(LedgerEntry::getKind)
          .containsExactly(EntryKind.SHARE_RESERVE, EntryKind.SHARE_CREDIT);
      assertThat(book.extractOutputValues().get(1).getCreditAccount()).isEqualTo("wallet:alice");
      assertThat(book.getSideOutput(BookShareFunction.PIECES)).hasSize(1);
      book.setProcessingTime(T0 + RETENTION.toMillis());
      assertThat(book.numProcessingTimeTimers()).as("forgotten after the retention").isZero();
    }
  }
}
