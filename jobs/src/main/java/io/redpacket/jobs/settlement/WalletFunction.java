package io.redpacket.jobs.settlement;

import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.Wallet;
import io.redpacket.core.Settlement;
import io.redpacket.jobs.common.BufferedValueState;
import io.redpacket.jobs.common.HeapBuffered;
import io.redpacket.jobs.common.KnownKeys;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Wallets, keyed by user: an OPENED grant is credited to its owner's balance (kept in RocksDB),
 * and so is a piece of a share claimed by the user; the new balance is published. Every grant state of a user passes through here, in order,
 * so the published states of one grant never overtake each other.
 *
 * <p>A user's first credit reads no state (a filter of the users with a wallet, {@link KnownKeys}), and run by
 * the job's operator ({@link HeapBuffered}) a wallet is written to RocksDB once per checkpoint, however many credits
 * it took in between.
 */
public final class WalletFunction extends KeyedCoProcessFunction<String, GrantState, ShareGrant, GrantState>
    implements CheckpointedFunction, HeapBuffered {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<Wallet> WALLETS = new OutputTag<>("wallets", TypeInformation.of(Wallet.class));
  /** Wallets held on the heap between two checkpoints at most; past it they are all written out early. */
  static final int MAX_WALLETS_ON_HEAP = 40_000;

  private transient BufferedValueState<Wallet> wallet;
  private transient KnownKeys knownUsers;
  private transient Counter credits;
  private transient Histogram openToCredit;

  @Override
  public void open(OpenContext openContext) {
    ValueState<Wallet> stored = getRuntimeContext().getState(new ValueStateDescriptor<>("wallet",
        TypeInformation.of(Wallet.class)));
    wallet = new BufferedValueState<>(stored, w -> 1, MAX_WALLETS_ON_HEAP);
    var metrics = getRuntimeContext().getMetricGroup().addGroup("redpacket");
    credits = metrics.counter("wallet_credits_total");
    openToCredit = metrics.histogram("open_to_credit_milliseconds", new DescriptiveStatisticsHistogram(1000));
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    knownUsers = KnownKeys.restore(context, "known-wallets");
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    knownUsers.snapshot();
  }

  @Override
  public void bufferWith(KeyContext keys) {
    wallet.bufferWith(keys);
  }

  @Override
  public void flushBuffer() throws Exception {
    wallet.flush();
  }

  /** The user's wallet before this credit, or null; read from state only if the user may have one. */
  private Wallet walletNow(Context ctx) throws Exception {
    return knownUsers.mayHave(ctx.getCurrentKey()) ? wallet.value() : null;
  }

  /** Keeps the wallet after a credit. */
  private void keep(Context ctx, Wallet after) throws Exception {
    knownUsers.add(ctx.getCurrentKey());
    wallet.update(after);
  }

  @Override
  public void processElement1(GrantState s, Context ctx, Collector<GrantState> out) throws Exception {
    if (s.getState() != GrantPhase.OPENED) {
      out.collect(s);
      return;
    }
    Wallet after = Settlement.credit(walletNow(ctx), s);
    keep(ctx, after);
    credits.inc();
    if (s.getOpenedMillis() != null) {
      openToCredit.update(Math.max(0, System.currentTimeMillis() - s.getOpenedMillis()));
    }
    ctx.output(WALLETS, after);
    out.collect(Settlement.credited(s));
  }

  /** A piece of a share claimed by this user: the sharing job decided it once, so it is credited as it comes. */
  @Override
  public void processElement2(ShareGrant piece, Context ctx, Collector<GrantState> out) throws Exception {
    Wallet after = Settlement.credit(walletNow(ctx), piece.getUserId(), piece.getCents(), piece.getMoveId(),
        piece.getTimestamp());
    keep(ctx, after);
    credits.inc();
    ctx.output(WALLETS, after);
  }
}
