package io.redpacket.jobs.audit;

import io.redpacket.avro.AuditResult;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Wallet;
import java.time.Duration;
import org.apache.flink.util.Collector;

/**
 * Invariant 5, per wallet (keyed by user): the published balance and count of credits equal the sum
 * and number of the ledger's credits to {@code wallet:<user>}. Sums: ledger cents, ledger credits,
 * wallet balance, wallet credits.
 */
final class WalletAuditFunction extends QuietSumsFunction<Wallet, LedgerEntry> {
  private static final long serialVersionUID = 1L;

  WalletAuditFunction(Duration quiet) {
    super(quiet);
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

  @Override
  String wrong(long[] s) {
    if (s[0] == s[2] && s[1] == s[3]) {
      return null;
    }
    return "wallet balance " + s[2] + " cents in " + s[3] + " credits, ledger credits " + s[0] + " cents in " + s[1];
  }

  @Override
  AuditResult finding(String userId, String detail, long timestamp) {
    return Findings.of(Findings.WALLET_MISMATCH, 5, userId, null, detail, timestamp);
  }
}
