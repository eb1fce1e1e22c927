package io.redpacket.jobs.audit;

import io.redpacket.avro.AuditResult;
import io.redpacket.avro.Grant;
import io.redpacket.avro.LedgerEntry;
import java.time.Duration;
import org.apache.flink.util.Collector;

/**
 * Invariant 5, per pool (keyed by pool id): granted = credited + refunded + outstanding to the cent,
 * where granted is the sum of the pool's grants, the others come from the ledger, and outstanding is
 * what the pool account holds (reserved - credited - refunded). Sums: granted, reserved, credited,
 * refunded.
 */
final class PoolAuditFunction extends QuietSumsFunction<Grant, LedgerEntry> {
  private static final long serialVersionUID = 1L;

  PoolAuditFunction(Duration quiet) {
    super(quiet);
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

  @Override
  String wrong(long[] s) {
    long granted = s[0];
    long reserved = s[1];
    long credited = s[2];
    long refunded = s[3];
    long outstanding = reserved - credited - refunded;
    if (granted == credited + refunded + outstanding && outstanding >= 0) {
      return null;
    }
    return "granted " + granted + " cents but credited " + credited + " + refunded " + refunded + " + outstanding "
        + outstanding + " (reserved " + reserved + ") = " + (credited + refunded + outstanding);
  }

  @Override
  AuditResult finding(String poolId, String detail, long timestamp) {
    return Findings.of(Findings.POOL_UNBALANCED, 5, poolId, poolId, detail, timestamp);
  }
}
