package io.redpacket.jobs.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.avro.SplitMode;
import io.redpacket.core.Keys;
import io.redpacket.core.StableHash;
import io.redpacket.core.UserRecord;
import io.redpacket.jobs.common.HarnessReads;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The allocation function alone, on RocksDB state, driven element by element and by time. */
class AllocateFunctionHarnessTest {
  static final long START = 1_000_000L;
  static final long END = START + 60_000L;
  static final Duration RETENTION = Duration.ofMinutes(5);

  final PoolDefinition pool = PoolDefinition.newBuilder().setPoolId("p1").setSponsor("acme")
      .setTotalCents(1000).setTotalCount(10).setSets(1).setMinCents(10).setMaxCents(500)
      .setStartMillis(START).setEndMillis(END).setSplitMode(SplitMode.LUCKY).setPerUserLimit(1)
      .setPacing(false).setCreatedMillis(0L).build();

  KeyedBroadcastOperatorTestHarness<String, Shake, PoolDefinition, ShakeOutcome> harness;

  @BeforeEach
  void open() throws Exception {
    openFrom(null);
  }

  /** A new harness, restored from {@code state} unless it is null, opened. */
  void openFrom(OperatorSubtaskState state) throws Exception {
    harness = newHarness();
    if (state != null) {
      harness.initializeState(state);
    }
    harness.open();
    // In the job the pools input declares itself idle; here it is a watermark that never holds back.
    harness.processBroadcastWatermark(Long.MAX_VALUE - 1);
  }

  KeyedBroadcastOperatorTestHarness<String, Shake, PoolDefinition, ShakeOutcome> newHarness() throws Exception {
    var h = new KeyedBroadcastOperatorTestHarness<>(
        new CoBroadcastWithKeyedOperator<>(new AllocateFunction(new AllocationSettings(RETENTION, Duration.ofSeconds(10))),
            List.of(AllocateFunction.POOLS)),
        (Shake s) -> Keys.set(s.getPoolId(), s.getSetId()), Types.STRING, 128, 1, 0);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    return h;
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  Shake shake(String id, String user, long ts) {
    return Shake.newBuilder().setShakeId(id).setUserId(user).setPoolId("p1")
        .setSetId(StableHash.setOf(user, 1)).setTimestamp(ts).build();
  }

  List<OutcomeCode> outcomes() {
    return harness.extractOutputValues().stream().map(ShakeOutcome::getOutcome).collect(Collectors.toList());
  }

  long keysIn(String state) throws Exception {
    return HarnessReads.keysIn(harness, state);
  }

  /** The map state {@code state} of the set "p1/0", read (and writable) behind the function's back. */
  MapState<String, UserRecord> mapState(String state) throws Exception {
    KeyedStateBackend<Object> backend = harness.getOperator().getKeyedStateBackend();
    backend.setCurrentKey("p1/0");
    return backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
        new MapStateDescriptor<>(state, Types.STRING, TypeInformation.of(UserRecord.class)));
  }

  long entriesIn(String state) throws Exception {
    long n = 0;
    for (String ignored : mapState(state).keys()) {
      n++;
    }
    return n;
  }

  @Test
  void grantsThenRetiresTheSetsStateByEventTimeAfterTheWindowAndRetention() throws Exception {
    harness.processBroadcastElement(pool, 0);
    harness.processElement(shake("s1", "alice", START + 1), START + 1);
    harness.processElement(shake("s2", "bob", START + 2), START + 2);
    harness.processElement(shake("s1", "alice", START + 3), START + 3); // a retry
    assertThat(outcomes()).containsExactly(OutcomeCode.WON, OutcomeCode.WON, OutcomeCode.WON);
    assertThat(harness.extractOutputValues().get(2).getDuplicate()).isTrue();
    assertThat(harness.getSideOutput(AllocateFunction.GRANTS)).hasSize(2);
    assertThat(entriesIn("users")).isEqualTo(2);
    assertThat(harness.numEventTimeTimers()).as("one retire timer for the set").isEqualTo(1);

    harness.processWatermark(new Watermark(END + RETENTION.toMillis() - 1));
    assertThat(entriesIn("users")).as("kept until the window and retention pass").isEqualTo(2);

    harness.processWatermark(new Watermark(END + RETENTION.toMillis()));
    assertThat(entriesIn("users")).isZero();
    assertThat(keysIn("set")).as("a tiny tombstone stays, so a late shake cannot reopen the set").isEqualTo(1);
    assertThat(harness.numEventTimeTimers()).isZero();

    harness.processElement(shake("s9", "carol", START + 10), END + RETENTION.toMillis() + 1);
    ShakeOutcome late = harness.extractOutputValues().get(3);
    assertThat(late.getOutcome()).isEqualTo(OutcomeCode.REJECTED);
    assertThat(late.getReason()).contains("late");
    assertThat(harness.getSideOutput(AllocateFunction.GRANTS)).hasSize(2);
    assertThat(entriesIn("users")).as("a retired set keeps no per-user state").isZero();
  }

  @Test
  void shakesThatComeBeforeTheirPoolWaitInOrderAndAreAnsweredWhenItArrives() throws Exception {
    harness.setProcessingTime(0);
    harness.processElement(shake("s1", "alice", START + 1), START + 1);
    harness.processElement(shake("s2", "bob", START + 2), START + 2);
    assertThat(outcomes()).isEmpty();
    assertThat(keysIn("waiting-for-pool")).isEqualTo(1);
    harness.processBroadcastElement(pool, 0);
    harness.setProcessingTime(300);
    assertThat(outcomes()).containsExactly(OutcomeCode.WON, OutcomeCode.WON);
    var grants = harness.getSideOutput(AllocateFunction.GRANTS).stream().map(StreamRecord::getValue).toList();
    assertThat(grants.get(0).getShakeId()).isEqualTo("s1");
    assertThat(grants.get(0).getSequence()).isEqualTo(1);
    assertThat(keysIn("waiting-for-pool")).isZero();
    assertThat(keysIn("waiting-since")).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void shakesOfAPoolThatNeverComesAreAnsweredUnknownAfterTheWait() throws Exception {
    harness.setProcessingTime(0);
    Shake s = Shake.newBuilder(shake("s1", "alice", START)).setPoolId("nope").build();
    harness.processElement(s, START);
    harness.setProcessingTime(9_000);
    assertThat(outcomes()).isEmpty();
    harness.setProcessingTime(10_100);
    assertThat(outcomes()).containsExactly(OutcomeCode.UNKNOWN_POOL);
    assertThat(keysIn("waiting-for-pool")).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void aChangedDefinitionOfAKnownPoolIsIgnoredAndDeadLettered() throws Exception {
    harness.processBroadcastElement(pool, 0);
    harness.processBroadcastElement(PoolDefinition.newBuilder(pool).setTotalCents(999_999L).build(), 1);
    assertThat(harness.getBroadcastState(AllocateFunction.POOLS).get("p1").getTotalCents()).isEqualTo(1000);
    assertThat(harness.getSideOutput(io.redpacket.jobs.common.DecodeFunction.DEAD_LETTERS)).hasSize(1);
  }

  @Test
  void aSavepointWithoutTheFilterOfUsersWithStateNeverLetsAPastWinnerWinAgain() throws Exception {
    harness.processBroadcastElement(pool, 0);
    harness.processElement(shake("s1", "alice", START + 1), START + 1);
    assertThat(outcomes()).containsExactly(OutcomeCode.WON);
    // A savepoint of a version before the filter existed holds the users' keyed state but no filter.
    var snapshot = harness.snapshot(1, START + 2);
    var keyedOnly = OperatorSubtaskState.builder()
        .setManagedKeyedState(snapshot.getManagedKeyedState()).build();
    harness.close();

    openFrom(keyedOnly);
    harness.processBroadcastElement(pool, 0);
    harness.processElement(shake("s2", "alice", START + 3), START + 3);
    assertThat(outcomes()).containsExactly(OutcomeCode.ALREADY_WON);
    assertThat(harness.getSideOutput(AllocateFunction.GRANTS)).isNullOrEmpty();
  }

  /** Removes a user's record from RocksDB behind the function's back, to tell a heap answer from a state read. */
  void eraseFromRocksDb(String user) throws Exception {
    mapState("users").remove(user);
  }

  @Test
  void aUserWhoShakesAgainIsAnsweredFromTheHeapWithoutAStateRead() throws Exception {
    harness.processBroadcastElement(pool, 0);
    harness.processElement(shake("s1", "alice", START + 1), START + 1);
    eraseFromRocksDb("alice");
    harness.processElement(shake("s1", "alice", START + 2), START + 2); // a retry
    harness.processElement(shake("s2", "alice", START + 3), START + 3); // a new shake
    assertThat(outcomes()).containsExactly(OutcomeCode.WON, OutcomeCode.WON, OutcomeCode.ALREADY_WON);
    var answers = harness.extractOutputValues();
    assertThat(answers.get(1).getDuplicate()).as("the retry gets the first answer").isTrue();
    assertThat(answers.get(1).getGrantId()).isEqualTo(answers.get(0).getGrantId());
    assertThat(answers.get(2).getGrantId()).isEqualTo(answers.get(0).getGrantId());
    assertThat(harness.getSideOutput(AllocateFunction.GRANTS)).hasSize(1);
  }

  @Test
  void aUserWhoShakesAgainAfterARestoreIsReadFromRocksDb() throws Exception {
    harness.processBroadcastElement(pool, 0);
    harness.processElement(shake("s1", "alice", START + 1), START + 1);
    var snapshot = harness.snapshot(1, START + 2);
    harness.close();

    openFrom(snapshot);
    harness.processBroadcastElement(pool, 0);
    harness.processElement(shake("s1", "alice", START + 3), START + 3);
    harness.processElement(shake("s2", "alice", START + 4), START + 4);
    assertThat(outcomes()).containsExactly(OutcomeCode.WON, OutcomeCode.ALREADY_WON);
    assertThat(harness.extractOutputValues().get(0).getDuplicate()).isTrue();
    assertThat(harness.getSideOutput(AllocateFunction.GRANTS)).isNullOrEmpty();
  }

  @Test
  void aRetiredSetForgetsItsUsersOnTheHeapToo() throws Exception {
    harness.processBroadcastElement(pool, 0);
    harness.processElement(shake("s1", "alice", START + 1), START + 1);
    harness.processWatermark(new Watermark(END + RETENTION.toMillis()));
    assertThat(entriesIn("users")).isZero();

    harness.processElement(shake("s1", "alice", START + 2), END + RETENTION.toMillis() + 1); // a late retry
    ShakeOutcome late = harness.extractOutputValues().get(1);
    assertThat(late.getOutcome()).as("answered as the retired set answers everyone, not from a stale record")
        .isEqualTo(OutcomeCode.REJECTED);
    assertThat(late.getReason()).contains("late");
  }
}
