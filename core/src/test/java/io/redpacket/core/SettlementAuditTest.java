package io.redpacket.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenResult;
import io.redpacket.avro.Wallet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The settlement audit passes a settled wave and catches each kind of violation. */
class SettlementAuditTest {
  final List<Grant> grants = new ArrayList<>();
  final List<Open> opens = new ArrayList<>();
  final List<OpenResult> results = new ArrayList<>();
  final List<LedgerEntry> ledger = new ArrayList<>();
  final Map<String, Wallet> wallets = new HashMap<>();
  final Map<String, GrantState> states = new HashMap<>();

  /** Three grants: one opened by its owner (and tried by a thief), one refunded, one outstanding. */
  @BeforeEach
  void settledWave() {
    Grant a = new Grant("p/0/1", "s1", "alice", "p", 0, 300L, 1L, 1000L, "acme", 0L, 0);
    Grant b = new Grant("p/0/2", "s2", "bob", "p", 0, 200L, 2L, 1000L, "acme", 0L, 0);
    Grant c = new Grant("p/0/3", "s3", "carol", "p", 0, 100L, 3L, 1000L, "acme", 0L, 0);
    for (Grant g : List.of(a, b, c)) {
      grants.add(g);
      apply(Settlement.grant(g));
    }
    Open thief = new Open("x", a.getGrantId(), "mallory", 1100L);
    opens.add(thief);
    apply(Settlement.open(a, states.get(a.getGrantId()), thief));
    Open open = new Open("o", a.getGrantId(), "alice", 1200L);
    opens.add(open);
    Settlement.Step opened = Settlement.open(a, states.get(a.getGrantId()), open);
    apply(opened);
    wallets.put("alice", Settlement.credit(null, opened.state()));
    states.put(a.getGrantId(), Settlement.credited(opened.state()));
    apply(Settlement.expire(b, states.get(b.getGrantId()), 5000L));
  }

  void apply(Settlement.Step step) {
    if (step.entry() != null) {
      ledger.add(step.entry());
    }
    if (step.state() != null) {
      states.put(step.state().getGrantId(), step.state());
    }
    if (step.result() != null) {
      results.add(step.result());
    }
  }

  SettlementAudit.Report audit() {
    return SettlementAudit.run(new SettlementAudit.Input(grants, opens, results, ledger, wallets, states));
  }

  List<String> failed() {
    return audit().checks().stream().filter(c -> !c.passed()).map(Audit.Check::name).toList();
  }

  @Test
  void aSettledWaveIsClean() {
    SettlementAudit.Report r = audit();
    assertThat(r.clean()).as(r.render()).isTrue();
    SettlementAudit.PoolRow row = r.pools().get("p");
    assertThat(row.creditedCents).isEqualTo(300);
    assertThat(row.refundedCents).isEqualTo(200);
    assertThat(row.outstandingCents).isEqualTo(100).isEqualTo(row.poolAccountCents);
  }

  @Test
  void catchesAnUnbalancedEntry() {
    LedgerEntry e = ledger.get(0);
    ledger.set(0, LedgerEntry.newBuilder(e).setCreditCents(e.getCreditCents() + 1).build());
    assertThat(failed()).contains("ledger balanced: every debit has an equal credit");
  }

  @Test
  void catchesADoubleCreditAndAWalletThatDoesNotAddUp() {
    LedgerEntry credit = ledger.stream().filter(e -> e.getKind() == io.redpacket.avro.EntryKind.CREDIT).findFirst().orElseThrow();
    ledger.add(credit);
    assertThat(failed()).contains("no grant credited twice, or credited and refunded", "each wallet equals the sum of its credits",
        "per pool: settled + refunded + outstanding = granted");
  }

  @Test
  void catchesAForeignOpenThatSucceeded() {
    results.set(0, OpenResult.newBuilder(results.get(0)).setResult(io.redpacket.avro.OpenCode.OPENED).setCents(300L).build());
    assertThat(failed()).contains("nobody opens a grant that is not theirs");
  }

  @Test
  void catchesAnUnansweredOpenAndAGrantNeverReserved() {
    opens.add(new Open("lost", "p/0/3", "carol", 2000L));
    grants.add(new Grant("p/0/4", "s4", "dave", "p", 0, 50L, 4L, 1000L, "acme", 0L, 0));
    assertThat(failed()).contains("every open answered, repeats alike", "every grant reserved exactly once");
  }
}
