package io.redpacket.core;

import static io.redpacket.core.Table.count;

import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantPhase;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenCode;
import io.redpacket.avro.OpenResult;
import io.redpacket.avro.Wallet;
import io.redpacket.core.Audit.Check;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Checks the design's invariants 4 (credited once, no foreign open) and 5 (ledger balanced,
 * wallets equal their credits, per pool settled + refunded + outstanding = granted) over what
 * the settlement job committed, to the cent.
 */
public final class SettlementAudit {
  /** The committed records; {@code wallets} and {@code grantStates} are the latest per key. */
  public record Input(List<Grant> grants, List<Open> opens, List<OpenResult> results, List<LedgerEntry> ledger,
      Map<String, Wallet> wallets, Map<String, GrantState> grantStates) {}

  public static final class PoolRow {
    public final String poolId;
    public long grants;
    public long grantedCents;
    public long credited;
    public long creditedCents;
    public long refunded;
    public long refundedCents;
    public long outstanding;
    public long outstandingCents;
    public long poolAccountCents;
    public final EnumMap<OpenCode, Long> answers = new EnumMap<>(OpenCode.class);

    PoolRow(String poolId) {
      this.poolId = poolId;
    }
  }

  public record Report(Map<String, PoolRow> pools, List<Check> checks, long wallets, long walletCents) {
    public boolean clean() {
      return Check.allPassed(checks);
    }

    public String render() {
      Table t = new Table("pool", "grants", "granted", "credited", "credited cents", "refunded", "refunded cents",
          "outstanding", "outstanding cents", "opens ok", "again", "not owner", "expired", "unknown grant");
      for (PoolRow r : pools.values()) {
        t.row(r.poolId, count(r.grants), Table.money(r.grantedCents), count(r.credited), Table.money(r.creditedCents),
            count(r.refunded), Table.money(r.refundedCents), count(r.outstanding), Table.money(r.outstandingCents),
            count(r.answers.getOrDefault(OpenCode.OPENED, 0L)), count(r.answers.getOrDefault(OpenCode.ALREADY_OPENED, 0L)),
            count(r.answers.getOrDefault(OpenCode.NOT_OWNER, 0L)), count(r.answers.getOrDefault(OpenCode.EXPIRED, 0L)),
            count(r.answers.getOrDefault(OpenCode.UNKNOWN_GRANT, 0L)));
      }
      return "settlement (" + String.format("%,d", wallets) + " wallets hold " + Table.money(walletCents) + "):\n"
          + t.render() + Check.render(checks);
    }
  }

  private SettlementAudit() {}

  public static Report run(Input in) {
    Map<String, PoolRow> rows = new TreeMap<>();
    List<Check> checks = new ArrayList<>();
    Map<String, Grant> grants = new HashMap<>();
    for (Grant g : in.grants()) {
      grants.put(g.getGrantId(), g);
      PoolRow row = rows.computeIfAbsent(g.getPoolId(), PoolRow::new);
      row.grants++;
      row.grantedCents += g.getCents();
    }

    // Invariant 5: each entry balances; amounts are the grant's; at most one entry of each kind per grant.
    List<String> unbalanced = new ArrayList<>();
    List<String> wrongAmount = new ArrayList<>();
    Map<String, EnumMap<EntryKind, Integer>> kinds = new HashMap<>();
    Map<String, Long> accounts = new HashMap<>();
    for (LedgerEntry e : in.ledger()) {
      if (e.getDebitCents() != e.getCreditCents() || e.getDebitCents() <= 0) {
        unbalanced.add(e.getEntryId() + ": debit " + e.getDebitCents() + " credit " + e.getCreditCents());
      }
      accounts.merge(e.getDebitAccount(), -e.getDebitCents(), Long::sum);
      accounts.merge(e.getCreditAccount(), e.getCreditCents(), Long::sum);
      if (Sharing.isShareEntry(e.getKind())) {
        continue; // a share's own money: checked per share by the SharingAudit
      }
      Grant g = grants.get(e.getGrantId());
      if (g == null || g.getCents() != e.getCreditCents()) {
        wrongAmount.add(e.getEntryId() + (g == null ? ": no such grant" : ": " + e.getCreditCents() + " != " + g.getCents()));
      }
      kinds.computeIfAbsent(e.getGrantId(), k -> new EnumMap<>(EntryKind.class)).merge(e.getKind(), 1, Integer::sum);
    }
    long total = accounts.values().stream().mapToLong(Long::longValue).sum();
    checks.add(new Check("5", "ledger balanced: every debit has an equal credit", unbalanced.size() + (total != 0 ? 1 : 0),
        Check.samples(unbalanced, String.format("%,d entries over %,d accounts, sum of balances %s", in.ledger().size(),
            accounts.size(), Table.money(total)))));
    checks.add(new Check("5", "every grant entry moves its grant's cents", wrongAmount.size(), Check.samples(wrongAmount, "")));

    // Invariant 4: reserved once; credited at most once; never both credited and refunded.
    List<String> notReserved = new ArrayList<>();
    List<String> twice = new ArrayList<>();
    for (Grant g : grants.values()) {
      EnumMap<EntryKind, Integer> k = kinds.getOrDefault(g.getGrantId(), new EnumMap<>(EntryKind.class));
      int reserve = k.getOrDefault(EntryKind.RESERVE, 0);
      int credit = k.getOrDefault(EntryKind.CREDIT, 0);
      int refund = k.getOrDefault(EntryKind.REFUND, 0);
      if (reserve != 1) {
        notReserved.add(g.getGrantId() + " reserved " + reserve + "x");
      }
      if (credit > 1 || refund > 1 || credit + refund > 1) {
        twice.add(g.getGrantId() + ": credited " + credit + "x, refunded " + refund + "x");
      }
      PoolRow row = rows.get(g.getPoolId());
      if (credit >= 1) {
        row.credited++;
        row.creditedCents += g.getCents();
      } else if (refund >= 1) {
        row.refunded++;
        row.refundedCents += g.getCents();
      } else {
        row.outstanding++;
        row.outstandingCents += g.getCents();
      }
    }
    checks.add(new Check("4", "every grant reserved exactly once", notReserved.size(),
        Check.samples(notReserved, String.format("%,d grants", grants.size()))));
    checks.add(new Check("4", "no grant credited twice, or credited and refunded", twice.size(), Check.samples(twice, "")));

    // Invariant 5 per pool: the pool account holds exactly what is outstanding.
    List<String> poolsOff = new ArrayList<>();
    for (PoolRow row : rows.values()) {
      row.poolAccountCents = accounts.getOrDefault(Settlement.poolAccount(row.poolId), 0L);
      if (row.creditedCents + row.refundedCents + row.outstandingCents != row.grantedCents
          || row.poolAccountCents != row.outstandingCents) {
        poolsOff.add(row.poolId + ": account " + Table.money(row.poolAccountCents) + ", outstanding "
            + Table.money(row.outstandingCents));
      }
    }
    checks.add(new Check("5", "per pool: settled + refunded + outstanding = granted", poolsOff.size(),
        Check.samples(poolsOff, "and the pool account holds the outstanding cents")));

    // Invariant 5: each wallet equals the sum of its credits.
    List<String> walletsOff = new ArrayList<>();
    long walletCents = 0;
    for (Map.Entry<String, Long> a : accounts.entrySet()) {
      if (!a.getKey().startsWith("wallet:")) {
        continue;
      }
      String user = a.getKey().substring("wallet:".length());
      Wallet w = in.wallets().get(user);
      if (w == null || w.getBalanceCents() != a.getValue()) {
        walletsOff.add(user + ": wallet " + (w == null ? "missing" : Table.money(w.getBalanceCents())) + ", credits "
            + Table.money(a.getValue()));
      }
    }
    for (Wallet w : in.wallets().values()) {
      walletCents += w.getBalanceCents();
      if (!accounts.containsKey(Settlement.walletAccount(w.getUserId()))) {
        walletsOff.add(w.getUserId() + ": wallet without credits");
      }
    }
    checks.add(new Check("5", "each wallet equals the sum of its credits", walletsOff.size(),
        Check.samples(walletsOff, String.format("%,d wallets, %s", in.wallets().size(), Table.money(walletCents)))));

    // Invariant 4: only owners open; every open is answered, repeats alike.
    FirstAnswers<OpenResult> answered = FirstAnswers.of(in.results(), r -> r.getOpenId() + "|" + r.getUserId(),
        (a, b) -> a.getResult() == b.getResult() && Objects.equals(a.getCents(), b.getCents()),
        r -> r.getOpenId() + ": " + r.getResult(), r -> {
          Grant g = grants.get(r.getGrantId());
          rows.computeIfAbsent(g == null ? "(unknown grant)" : g.getPoolId(), PoolRow::new).answers
              .merge(r.getResult(), 1L, Long::sum);
        }).requests(in.opens(), o -> o.getOpenId() + "|" + o.getUserId(), Open::getOpenId);
    checks.add(answered.check("4", "every open answered, repeats alike", "opens"));
    Map<String, OpenResult> firstResult = answered.first;
    List<String> foreign = new ArrayList<>();
    Map<String, String> openedBy = new HashMap<>();
    for (OpenResult r : firstResult.values()) {
      Grant g = grants.get(r.getGrantId());
      boolean success = r.getResult() == OpenCode.OPENED || r.getResult() == OpenCode.ALREADY_OPENED;
      if (g != null && !g.getUserId().equals(r.getUserId()) && r.getResult() != OpenCode.NOT_OWNER) {
        foreign.add(r.getUserId() + " opened " + r.getGrantId() + ": " + r.getResult());
      } else if (g == null && success) {
        foreign.add(r.getOpenId() + " opened an unknown grant");
      }
      if (r.getResult() == OpenCode.OPENED) {
        openedBy.put(r.getGrantId(), r.getUserId());
      }
    }
    for (Map.Entry<String, EnumMap<EntryKind, Integer>> k : kinds.entrySet()) {
      Grant g = grants.get(k.getKey());
      if (k.getValue().containsKey(EntryKind.CREDIT) && g != null && !g.getUserId().equals(openedBy.get(k.getKey()))) {
        foreign.add(k.getKey() + " credited without an open by its owner");
      }
    }
    long notOwner = firstResult.values().stream().filter(r -> r.getResult() == OpenCode.NOT_OWNER).count();
    checks.add(new Check("4", "nobody opens a grant that is not theirs", foreign.size(),
        Check.samples(foreign, String.format("%,d foreign opens refused", notOwner))));

    // The published grant states agree with the ledger.
    List<String> stateOff = new ArrayList<>();
    for (Grant g : grants.values()) {
      GrantState s = in.grantStates().get(g.getGrantId());
      EnumMap<EntryKind, Integer> k = kinds.getOrDefault(g.getGrantId(), new EnumMap<>(EntryKind.class));
      GrantPhase expected = k.containsKey(EntryKind.CREDIT) ? GrantPhase.CREDITED
          : k.containsKey(EntryKind.REFUND) ? GrantPhase.EXPIRED : GrantPhase.GRANTED;
      if (s == null || s.getState() != expected) {
        stateOff.add(g.getGrantId() + ": " + (s == null ? "no state" : s.getState()) + ", ledger says " + expected);
      }
    }
    checks.add(new Check("4", "each grant's published state matches the ledger", stateOff.size(), Check.samples(stateOff, "")));
    return new Report(rows, checks, in.wallets().size(), walletCents);
  }
}
