package io.redpacket.jobs.audit;

import io.redpacket.avro.AuditResult;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sums per key from two streams read independently, compared once the key has been quiet for
 * {@code quiet} (mid-flow, one stream's sums lag the other's) and again after every later change;
 * one finding per distinct wrong state. State: four sums, the last change, the last state flagged.
 */
abstract class QuietSumsFunction<A, B> extends KeyedCoProcessFunction<String, A, B, AuditResult> {
  private static final long serialVersionUID = 1L;
  static final int LAST_CHANGE = 4;
  static final int FLAGGED = 5;
  private final long quietMillis;
  private transient ValueState<long[]> sums;
  transient Counter violations;

  QuietSumsFunction(Duration quiet) {
    this.quietMillis = quiet.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    sums = getRuntimeContext().getState(new ValueStateDescriptor<>("sums", long[].class));
    violations = Findings.violations(getRuntimeContext());
  }

  long[] sums() throws Exception {
    long[] s = sums.value();
    return s == null ? new long[6] : s;
  }

  void changed(long[] s, Context ctx) throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    s[LAST_CHANGE] = now;
    sums.update(s);
    // Whole seconds: one timer per key and second however many records come.
    ctx.timerService().registerProcessingTimeTimer((now + quietMillis) / 1000 * 1000 + 1000);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<AuditResult> out) throws Exception {
    long[] s = sums.value();
    if (s == null || timestamp < s[LAST_CHANGE] + quietMillis) {
      return; // changed since: a later timer checks
    }
    String detail = wrong(s);
    if (detail != null) {
      long signature = 31 * (31 * (31 * s[0] + s[1]) + s[2]) + s[3];
      if (signature != s[FLAGGED]) {
        s[FLAGGED] = signature;
        sums.update(s);
        violations.inc();
        out.collect(finding(ctx.getCurrentKey(), detail, timestamp));
      }
    }
  }

  /** What is wrong with these sums, or null when they agree. */
  abstract String wrong(long[] s);

  abstract AuditResult finding(String key, String detail, long timestamp);
}
