package io.redpacket.jobs.settlement;

import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.Wallet;
import io.redpacket.core.Settlement;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Wallets, keyed by user: an OPENED grant is credited to its owner's balance (kept in RocksDB),
 * and so is a piece of a share claimed by the user; the new balance is published. Every grant state of a user passes through here, in order,
 * so the published states of one grant never overtake each other.
 */
public final class WalletFunction extends KeyedCoProcessFunction<String, GrantState, ShareGrant, GrantState> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<Wallet> WALLETS = new OutputTag<>("wallets", TypeInformation.of(Wallet.class));

  private transient ValueState<Wallet> wallet;
  private transient Counter credits;
  private transient Histogram openToCredit;

  @Override
  public void open(OpenContext openContext) {
    wallet = getRuntimeContext().getState(new ValueStateDescriptor<>("wallet", TypeInformation.of(Wallet.class)));
    var metrics = getRuntimeContext().getMetricGroup().addGroup("redpacket");
    credits = metrics.counter("wallet_credits_total");
    openToCredit = metrics.histogram("open_to_credit_milliseconds", new DescriptiveStatisticsHistogram(1000));
  }

  @Override
  public void processElement1(GrantState s, Context ctx, Collector<GrantState> out) throws Exception {
    if (s.getState() != GrantPhase.OPENED) {
      out.collect(s);
      return;
    }
    Wallet after = Settlement.credit(wallet.value(), s);
    wallet.update(after);
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
    Wallet after = Settlement.credit(wallet.value(), piece.getUserId(), piece.getCents(), piece.getMoveId(),
        piece.getTimestamp());
    wallet.update(after);
    credits.inc();
    ctx.output(WALLETS, after);
  }
}
