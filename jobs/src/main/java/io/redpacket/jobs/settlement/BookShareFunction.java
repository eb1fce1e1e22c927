package io.redpacket.jobs.settlement;

import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareMove;
import io.redpacket.core.Sharing;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Books a share's movements, keyed by share: each movement once as a ledger entry, and each piece
 * once towards its friend's wallet. The sharing job writes every movement exactly once; this
 * makes the money path safe even if `share-grants` were read twice (a replayed topic, a sharing
 * job redeployed without its state): a movement already booked is dropped and counted. The
 * movements of a share are forgotten a while after its last one.
 */
public final class BookShareFunction extends KeyedProcessFunction<String, ShareGrant, LedgerEntry> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<ShareGrant> PIECES = new OutputTag<>("share-pieces", TypeInformation.of(ShareGrant.class));

  private final Duration retention;
  private transient MapState<String, Boolean> booked;
  private transient ValueState<Long> lastAt;
  private transient Counter duplicates;

  /** @param retention how long a share's booked movements are remembered after its last one */
  public BookShareFunction(Duration retention) {
    this.retention = retention;
  }

  @Override
  public void open(OpenContext openContext) {
    booked = getRuntimeContext().getMapState(new MapStateDescriptor<>("booked-moves", Types.STRING, Types.BOOLEAN));
    lastAt = getRuntimeContext().getState(new ValueStateDescriptor<>("last-move-at", Types.LONG));
    duplicates = getRuntimeContext().getMetricGroup().addGroup("redpacket").counter("share_moves_dropped_total");
  }

  @Override
  public void processElement(ShareGrant m, Context ctx, Collector<LedgerEntry> out) throws Exception {
    if (booked.contains(m.getMoveId())) {
      duplicates.inc();
      return;
    }
    booked.put(m.getMoveId(), Boolean.TRUE);
    out.collect(Sharing.entry(m));
    if (m.getKind() == ShareMove.PIECE) {
      ctx.output(PIECES, m);
    }
    long now = ctx.timerService().currentProcessingTime();
    lastAt.update(now);
    ctx.timerService().registerProcessingTimeTimer(now + retention.toMillis());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<LedgerEntry> out) throws Exception {
    Long last = lastAt.value();
    if (last != null && timestamp >= last + retention.toMillis()) { // the retention after the share's last move
      booked.clear();
      lastAt.clear();
    }
  }
}
