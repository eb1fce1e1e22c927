package io.redpacket.jobs.settlement;

import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenCode;
import io.redpacket.avro.OpenResult;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Settlement;
import io.redpacket.core.Waiting;
import io.redpacket.jobs.common.BufferedListState;
import io.redpacket.jobs.common.BufferedValueState;
import io.redpacket.jobs.common.DecodeFunction;
import io.redpacket.jobs.common.HeapBuffered;
import io.redpacket.jobs.common.KnownKeys;
import io.redpacket.jobs.common.WaitingKeys;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Settlement of one grant (keyed by grant id): a thin shell around {@link Settlement}, which
 * holds the rules. The shell joins the grant with its opens whatever order they come in (an
 * open that comes first waits, bounded), refunds at expiry, and forgets the grant once its
 * retention after expiry has passed (a later open is then answered "unknown grant"). Whether an
 * open came in time is decided by its own time stamp against the expiry (event time), and so is the
 * refund: it runs on an event-time timer a grace after the expiry, that is once the opens the job
 * has read (their watermark, {@link io.redpacket.jobs.common.Topology#requestTime()}) are past it.
 * So an open stamped before the expiry is honoured however late the job reads it (a lag, a restore),
 * as long as it was written within the grace; at the end of a wave, when no opens come, the quiet
 * partitions' watermarks follow the clock and the refunds happen. Only the waits of opens that came
 * before their grant run on processing time. The ledger's time stamps come from the records.
 *
 * <p>State reads and writes are what settling costs most (RocksDB's own code was more than half of the task's
 * time): a filter of the grants this subtask holds ({@link KnownKeys}) spares the read for every new grant and every
 * open before its grant, and run by the job's operator ({@link HeapBuffered}) a grant's value is written to RocksDB
 * once per checkpoint, however often it changed in between (reserved, then opened), and read back from the heap; so
 * are the opens that wait for their grant: a wait that ends before the checkpoint never reaches RocksDB, and one that
 * outlives it is written once and ended from the heap.
 */
public final class SettleFunction extends KeyedCoProcessFunction<String, Grant, Open, LedgerEntry>
    implements CheckpointedFunction, HeapBuffered {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<GrantState> STATES = new OutputTag<>("grant-states", TypeInformation.of(GrantState.class));
  /** The name of the keyed state holding each grant and its state. */
  public static final String STATE = "grant-and-state";
  public static final OutputTag<OpenResult> RESULTS = new OutputTag<>("open-results", TypeInformation.of(OpenResult.class));
  /** Grants held on the heap between two checkpoints at most (some 30 MB); past it they are all written out early. */
  static final int MAX_GRANTS_ON_HEAP = 40_000;

  private final SettlementSettings settings;
  /**
   * The grant and where it stands, in one value: one RocksDB read per open and one write per grant and
   * per change (they were two states). The layout of the operator {@code settle-2}; the operator
   * {@code settle} of earlier versions kept them apart, and a savepoint of it is refused (see
   * {@link SettlementJob#SETTLE_UID}).
   */
  private transient BufferedValueState<Tuple2<Grant, GrantState>> settled;
  private transient BufferedListState<Open> waiting;
  private transient Counter reserved;
  private transient Counter credited;
  private transient Counter centsCredited;
  private transient Counter refunded;
  private transient Counter centsRefunded;
  private transient Counter refused;
  /**
   * The grants (keys) of this subtask whose opens wait for them. Reading the waiting list on every grant costs
   * a RocksDB read, so it is read only for these, and for any grant during the open wait after a restore (the
   * opens restored waiting are answered by their timers within it; a minute's margin for late timers).
   */
  private transient WaitingKeys waitingKeys;
  private transient boolean restored;
  /** The grants of this subtask that may hold state: a grant not in it is new, without a state read. */
  private transient KnownKeys knownGrants;

  public SettleFunction(SettlementSettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext openContext) {
    var ctx = getRuntimeContext();
    ValueState<Tuple2<Grant, GrantState>> stored = ctx.getState(new ValueStateDescriptor<>(STATE,
        Types.TUPLE(TypeInformation.of(Grant.class), TypeInformation.of(GrantState.class))));
    settled = new BufferedValueState<>(stored, value -> 1, MAX_GRANTS_ON_HEAP);
    waiting = new BufferedListState<>(ctx.getListState(new ListStateDescriptor<>("opens-waiting-for-grant",
        TypeInformation.of(Open.class))), MAX_GRANTS_ON_HEAP);
    var metrics = ctx.getMetricGroup().addGroup("redpacket");
    reserved = metrics.counter("grants_reserved_total");
    credited = metrics.counter("grants_credited_total");
    centsCredited = metrics.counter("credited_cents_total");
    refunded = metrics.counter("grants_refunded_total");
    centsRefunded = metrics.counter("refunded_cents_total");
    refused = metrics.counter("opens_refused_total");
    waitingKeys = new WaitingKeys(restored, settings.openWait());
  }

  @Override
  public void bufferWith(KeyContext keys) {
    settled.bufferWith(keys);
    waiting.bufferWith(keys);
  }

  @Override
  public void flushBuffer() throws Exception {
    settled.flush();
    waiting.flush();
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    restored = context.isRestored();
    knownGrants = KnownKeys.restore(context, "known-grants");
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    knownGrants.snapshot();
  }

  /** The grant and its state, or null; read from state only if the grant may be known. */
  private Tuple2<Grant, GrantState> settledNow(Context ctx) throws Exception {
    return knownGrants.mayHave(ctx.getCurrentKey()) ? settled.value() : null;
  }

  @Override
  public void processElement1(Grant g, Context ctx, Collector<LedgerEntry> out) throws Exception {
    Tuple2<Grant, GrantState> known = settledNow(ctx);
    if (known != null) {
      if (!known.f0.equals(g)) { // the same id with other content: never settle it twice, say so
        ctx.output(DecodeFunction.DEAD_LETTERS, deadLetter(g, "a different grant with the id of a known grant"));
      }
      return;
    }
    Settlement.Step step = Settlement.grant(g);
    Tuple2<Grant, GrantState> now = Tuple2.of(g, step.state());
    emit(step, ctx, out);
    reserved.inc();
    ctx.timerService().registerEventTimeTimer(refundAt(g));
    if (waitingKeys.mayWait(ctx.getCurrentKey())) {
      settleWaiting(now, ctx, out);
    }
    // One write for the grant and whatever the opens that waited for it changed.
    knownGrants.add(ctx.getCurrentKey());
    settled.update(now);
  }

  /**
   * The opens that came before their grant, settled now that it is here; {@code current} is changed in place and
   * the caller writes it.
   *
   * @return whether any open changed the grant's state
   */
  private boolean settleWaiting(Tuple2<Grant, GrantState> current, Context ctx, Collector<LedgerEntry> out)
      throws Exception {
    List<Open> early = waiting.get();
    boolean changed = false;
    if (!early.isEmpty()) {
      waiting.clear();
      waitingKeys.remove(ctx.getCurrentKey());
      for (Open o : early) {
        changed |= open(current, o, ctx, out);
      }
    }
    return changed;
  }

  @Override
  public void processElement2(Open o, Context ctx, Collector<LedgerEntry> out) throws Exception {
    Tuple2<Grant, GrantState> current = settledNow(ctx);
    if (current != null) {
      if (open(current, o, ctx, out)) {
        settled.update(current);
      }
      return;
    }
    // No grant yet: the open waits for it. Its list is read (once) only if something may wait there already.
    Iterable<Open> already = waitingKeys.mayWait(ctx.getCurrentKey()) ? waiting.get() : List.of();
    if (!already.iterator().hasNext()) {
      // The deadline is set by the first open to wait; later ones do not move it.
      waitingKeys.add(ctx.getCurrentKey());
      ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime()
          + settings.openWait().toMillis());
      waiting.addToEmpty(o);
    } else if (Waiting.mayJoin(already)) {
      waiting.add(o);
    } else { // the grant's waiting list is full: answered now, as if it had waited in vain
      ctx.output(RESULTS, Settlement.unknownGrant(o));
      refused.inc();
    }
  }

  /**
   * Decides an open of a known grant; {@code current} is changed in place when the grant's state changes, and the
   * caller writes it.
   *
   * @return whether the grant's state changed
   */
  private boolean open(Tuple2<Grant, GrantState> current, Open o, Context ctx, Collector<LedgerEntry> out) {
    Grant g = current.f0;
    Settlement.Step step = Settlement.open(g, current.f1, o, expiresAt(g));
    emit(step, ctx, out);
    if (step.state() != null) {
      current.f1 = step.state();
      credited.inc();
      centsCredited.inc(g.getCents());
      return true;
    }
    if (step.result().getResult() != OpenCode.OPENED) {
      refused.inc();
    }
    return false;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<LedgerEntry> out) throws Exception {
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
      onEventTime(timestamp, ctx, out);
      return;
    }
    Tuple2<Grant, GrantState> current = settled.value();
    if (current == null) { // opens that waited in vain for their grant (or came after it was forgotten)
      boolean any = false;
      for (Open o : waiting.get()) {
        ctx.output(RESULTS, Settlement.unknownGrant(o));
        refused.inc();
        any = true;
      }
      if (any) {
        waiting.clear();
        waitingKeys.remove(ctx.getCurrentKey());
      }
      return;
    }
    if (restored) {
      // A restored subtask knows its waiting keys only for a while (mayWait): a grant that came after that
      // window skipped its waiting opens, which are settled here, when their wait ends, instead.
      if (settleWaiting(current, ctx, out)) {
        settled.update(current);
      }
    }
  }

  /** The refund, then the end of the retention: both when the opens read have passed them. */
  private void onEventTime(long timestamp, OnTimerContext ctx, Collector<LedgerEntry> out) throws Exception {
    if (ctx.timerService().currentWatermark() == Long.MAX_VALUE) {
      return; // a bounded input ended: that says nothing about time, and no grant expired by it
    }
    Tuple2<Grant, GrantState> current = settled.value();
    if (current == null) {
      return;
    }
    Grant g = current.f0;
    long expiresAt = expiresAt(g);
    if (timestamp >= refundAt(g) + settings.retention().toMillis()) {
      // Settled, and repeated opens had their retention to be answered alike: the state goes.
      settled.clear();
      return;
    }
    if (timestamp >= refundAt(g)) {
      Settlement.Step step = Settlement.expire(g, current.f1, expiresAt);
      if (step.state() != null) {
        current.f1 = step.state();
        settled.update(current);
        refunded.inc();
        centsRefunded.inc(g.getCents());
        emit(step, ctx, out);
      }
      ctx.timerService().registerEventTimeTimer(refundAt(g) + settings.retention().toMillis());
    }
  }

  private long expiresAt(Grant g) {
    return g.getTimestamp() + settings.expiry().toMillis();
  }

  /** The refund waits for opens stamped before the expiry that are still on their way (it is still stamped at the expiry). */
  private long refundAt(Grant g) {
    return expiresAt(g) + settings.openGrace().toMillis();
  }

  private static void emit(Settlement.Step step, Context ctx, Collector<LedgerEntry> out) {
    if (step.entry() != null) {
      out.collect(step.entry());
    }
    if (step.state() != null) {
      ctx.output(STATES, step.state());
    }
    if (step.result() != null) {
      ctx.output(RESULTS, step.result());
    }
  }

  private static DeadLetter deadLetter(Grant g, String error) {
    return DeadLetter.newBuilder().setJob("settlement").setSourceTopic(Topics.GRANTS).setPartition(-1).setOffset(-1)
        .setKey(ByteBuffer.wrap(g.getGrantId().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .setValue(ByteBuffer.wrap(Codecs.GRANT.encode(g))).setError(error).setTimestamp(g.getTimestamp()).build();
  }
}
