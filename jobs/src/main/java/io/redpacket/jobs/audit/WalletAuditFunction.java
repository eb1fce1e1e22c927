package io.redpacket.jobs.audit;

import io.redpacket.avro.AuditResult;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Wallet;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Invariant 5, per wallet (keyed by user): the published balance and count of credits equal the sum
 * and number of the ledger's credits to {@code wallet:<user>}. Checked once the wallet has been quiet
 * for {@code quiet}; one finding per distinct wrong state.
 */
final class WalletAuditFunction extends KeyedCoProcessFunction<String, Wallet, LedgerEntry, AuditResult> {
  private static final long serialVersionUID = 1L;
  private final long quietMillis;
  private transient ValueState<long[]> sums; // ledger cents, ledger credits, wallet balance, wallet credits, last change, flagged
  private transient Counter violations;

  WalletAuditFunction(Duration quiet) {
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
  public void processElement1(Wallet w, Context ctx, Collector<AuditResult> out) throws Exception {
    long[] s = sums();
    // The newest state of the wallet: it only grows, so a reordered older one never replaces it.
    if (w.getCredits() >= s[3]) {
      s[2] = w.getBalanceCents();
      s[3] = w.getCredits();
    }
    changed(s, ctx);
  }

  @Override
  public void processElement2(LedgerEntry e, Context ctx, Collector<AuditResult> out) throws Exception {
    long[] s = sums();
    s[0] += e.getCreditCents();
    s[1] += 1;
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
      return;
    }
    if (s[0] != s[2] || s[1] != s[3]) {
      long signature = 31 * (31 * (31 * s[0] + s[1]) + s[2]) + s[3];
      if (signature != s[5]) {
        s[5] = signature;
        sums.update(s);
        violations.inc();
        out.collect(Findings.of(Findings.WALLET_MISMATCH, 5, ctx.getCurrentKey(), null, "wallet balance " + s[2]
            + " cents in " + s[3] + " credits, ledger credits " + s[0] + " cents in " + s[1], timestamp));
      }
    }
  }
}
