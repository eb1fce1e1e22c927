package io.redpacket.jobs.audit;

import io.redpacket.avro.AuditResult;
import io.redpacket.avro.Grant;
import io.redpacket.avro.LedgerEntry;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Invariant 5, per pool (keyed by pool id): granted = credited + refunded + outstanding to the cent,
 * where granted is the sum of the pool's grants, the others come from the ledger, and outstanding is
 * what the pool account holds (reserved - credited - refunded). Checked once the pool has been quiet
 * for {@code quiet} (the topics are read independently, so mid-flow sums lag each other), and again
 * after every later change; one finding per distinct wrong state.
 */
final class PoolAuditFunction extends KeyedCoProcessFunction<String, Grant, LedgerEntry, AuditResult> {
  private static final long serialVersionUID = 1L;
  private final long quietMillis;
  private transient ValueState<long[]> sums; // granted, reserved, credited, refunded, last change, last flagged hash
  private transient Counter violations;

  PoolAuditFunction(Duration quiet) {
    this.quietMillis = quiet.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    sums = getRuntimeContext().getState(new ValueStateDescriptor<>("sums", long[].class));
    violations = Findings.violations(getRuntimeContext());
  }

  private long[] sums() throws Exception {
    long[] s = sums.value();
    return s == null ? new long[6] : s;
  }

  @Override
  public void processElement1(Grant g, Context ctx, Collector<AuditResult> out) throws Exception {
    long[] s = sums();
    s[0] += g.getCents();
    changed(s, ctx);
  }

  @Override
  public void processElement2(LedgerEntry e, Context ctx, Collector<AuditResult> out) throws Exception {
    long[] s = sums();
    switch (e.getKind()) {
      case RESERVE -> s[1] += e.getCreditCents();
      case CREDIT -> s[2] += e.getCreditCents();
      case REFUND -> s[3] += e.getCreditCents();
      default -> {
        return; // share money is the share's, not the pool's budget
      }
    }
    changed(s, ctx);
  }

  private void changed(long[] s, Context ctx) throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    s[4] = now;
    sums.update(s);
    // Whole seconds: one timer per key and second however many records come.
    ctx.timerService().registerProcessingTimeTimer((now + quietMillis) / 1000 * 1000 + 1000);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<AuditResult> out) throws Exception {
    long[] s = sums.value();
    if (s == null || timestamp < s[4] + quietMillis) {
      return; // changed since: a later timer checks
    }
    long granted = s[0];
    long reserved = s[1];
    long credited = s[2];
    long refunded = s[3];
    long outstanding = reserved - credited - refunded;
    if (granted != credited + refunded + outstanding || outstanding < 0) {
      long signature = 31 * (31 * (31 * granted + reserved) + credited) + refunded;
      if (signature != s[5]) {
        s[5] = signature;
        sums.update(s);
        violations.inc();
        out.collect(Findings.of(Findings.POOL_UNBALANCED, 5, ctx.getCurrentKey(), ctx.getCurrentKey(), "granted "
            + granted + " cents but credited " + credited + " + refunded " + refunded + " + outstanding " + outstanding
            + " (reserved " + reserved + ") = " + (credited + refunded + outstanding), timestamp));
      }
    }
  }
}
