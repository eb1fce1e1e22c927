package io.redpacket.jobs.audit;

import io.redpacket.avro.AuditResult;
import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.avro.LedgerEntry;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Invariant 4, per grant (keyed by grant id): reserved once, credited or refunded at most once, each
 * entry of the grant's cents, and no entry for a grant that never came (after {@code grantWait}: the
 * grants and the ledger are read independently, so an entry may be seen before its grant).
 */
final class GrantAuditFunction extends KeyedCoProcessFunction<String, Grant, LedgerEntry, AuditResult> {
  private static final long serialVersionUID = 1L;
  private final long grantWaitMillis;
  private transient ValueState<Long> cents; // the grant's cents, once seen
  private transient ValueState<Integer> reserves;
  private transient ValueState<String> settledBy; // the first CREDIT or REFUND entry
  private transient ValueState<LedgerEntry> waiting; // the first entry seen before its grant
  private transient Counter violations;

  GrantAuditFunction(Duration grantWait) {
    this.grantWaitMillis = grantWait.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    cents = getRuntimeContext().getState(new ValueStateDescriptor<>("cents", Types.LONG));
    reserves = getRuntimeContext().getState(new ValueStateDescriptor<>("reserves", Types.INT));
    settledBy = getRuntimeContext().getState(new ValueStateDescriptor<>("settled-by", Types.STRING));
    waiting = getRuntimeContext().getState(new ValueStateDescriptor<>("waiting", LedgerEntry.class));
    violations = Findings.violations(getRuntimeContext());
  }

  @Override
  public void processElement1(Grant g, Context ctx, Collector<AuditResult> out) throws Exception {
    cents.update(g.getCents());
    waiting.clear();
  }

  @Override
  public void processElement2(LedgerEntry e, Context ctx, Collector<AuditResult> out) throws Exception {
    EntryKind kind = e.getKind();
    Long grantCents = cents.value();
    if (grantCents == null && waiting.value() == null) {
      waiting.update(e);
      ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + grantWaitMillis);
    }
    if (grantCents != null && e.getCreditCents() != grantCents) {
      flag(out, Findings.WRONG_AMOUNT, e, kind + " of " + e.getCreditCents() + " cents for a grant of " + grantCents);
    }
    if (kind == EntryKind.RESERVE) {
      int n = reserves.value() == null ? 1 : reserves.value() + 1;
      reserves.update(n);
      if (n == 2) {
        flag(out, Findings.RESERVED_TWICE, e, "a second RESERVE (" + e.getEntryId() + ")");
      }
    } else {
      String first = settledBy.value();
      if (first == null) {
        settledBy.update(e.getEntryId() + " (" + kind + ")");
      } else {
        flag(out, Findings.SETTLED_TWICE, e, kind + " " + e.getEntryId() + " after " + first);
      }
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<AuditResult> out) throws Exception {
    LedgerEntry e = waiting.value();
    if (e != null && cents.value() == null) {
      flag(out, Findings.NO_GRANT, e, e.getKind() + " " + e.getEntryId() + " of " + e.getCreditCents()
          + " cents, and no grant " + e.getGrantId() + " within " + grantWaitMillis / 1000 + " s");
    }
    waiting.clear();
  }

  private void flag(Collector<AuditResult> out, String check, LedgerEntry e, String detail) {
    violations.inc();
    out.collect(Findings.of(check, 4, e.getGrantId(), e.getPoolId(), detail, e.getTimestamp()));
  }
}
