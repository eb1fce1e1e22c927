package io.redpacket.jobs.audit;

import io.redpacket.avro.AuditResult;
import io.redpacket.avro.LedgerEntry;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Invariant 5, per entry: every ledger entry is balanced (equal positive cents, two different accounts). */
final class EntryAuditFunction extends ProcessFunction<LedgerEntry, AuditResult> {
  private static final long serialVersionUID = 1L;
  private transient Counter violations;
  private transient Counter checked;

  @Override
  public void open(OpenContext openContext) {
    violations = Findings.violations(getRuntimeContext());
    checked = Findings.checked(getRuntimeContext());
  }

  @Override
  public void processElement(LedgerEntry e, Context ctx, Collector<AuditResult> out) {
    checked.inc();
    if (e.getDebitCents() != e.getCreditCents() || e.getDebitCents() <= 0
        || e.getDebitAccount().equals(e.getCreditAccount())) {
      violations.inc();
      out.collect(Findings.of(Findings.UNBALANCED_ENTRY, 5, e.getEntryId(), e.getPoolId(), "debit " + e.getDebitAccount()
          + " " + e.getDebitCents() + " cents, credit " + e.getCreditAccount() + " " + e.getCreditCents() + " cents",
          e.getTimestamp()));
    }
  }
}
