package io.redpacket.core;

import io.redpacket.avro.Grant;
import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Codecs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Checks the design's invariants 1, 2, 3, 4 (grant ids) and 6 over what the pipeline committed,
 * to the cent. Invariant 6 (replay) is checked by recomputing every grant from the shakes log
 * with the same {@link SetAllocator} the job runs, and comparing the bytes.
 */
public final class Audit {
  private static final int SAMPLES = 3;

  /** What the audit reads: the pools, the shakes in log order (per partition, by offset), and the outputs. */
  public record Input(Map<String, PoolDefinition> pools, List<Shake> shakesInLogOrder,
      List<ShakeOutcome> outcomes, List<byte[]> grantRecords) {}

  public record Check(String invariant, String name, long violations, String detail) {
    public boolean passed() {
      return violations == 0;
    }

    public static boolean allPassed(List<Check> checks) {
      return checks.stream().allMatch(Check::passed);
    }

    /** A few of {@code items} as a check's detail; {@code otherwise} when there are none. */
    static String samples(List<String> items, String otherwise) {
      if (items.isEmpty()) {
        return otherwise;
      }
      return String.join("; ", items.subList(0, Math.min(SAMPLES, items.size())))
          + (items.size() > SAMPLES ? "; ..." : "");
    }

    /** The table every audit ends its report with. */
    public static String render(List<Check> checks) {
      Table t = new Table("invariant", "check", "result", "detail");
      for (Check c : checks) {
        t.row(c.invariant(), c.name(), c.passed() ? "ok" : "FAILED (" + c.violations() + ")", c.detail());
      }
      return t.render();
    }
  }

  public static final class PoolRow {
    public final String poolId;
    public long totalCount;
    public long totalCents;
    public long grantedCount;
    public long grantedCents;
    public long minSeen = Long.MAX_VALUE;
    public long maxSeen = Long.MIN_VALUE;
    public long shakes;
    public final EnumMap<OutcomeCode, Long> outcomes = new EnumMap<>(OutcomeCode.class);
    public long duplicates;

    PoolRow(String poolId) {
      this.poolId = poolId;
    }
  }

  public record Report(Map<String, PoolRow> pools, List<Check> checks) {
    public boolean clean() {
      return Check.allPassed(checks);
    }

    public String render() {
      Table pools = new Table("pool", "shakes", "won", "already won", "not lucky", "exhausted", "not active", "unknown",
          "rejected", "retries", "granted", "of count", "granted cents", "of budget", "min", "max");
      for (PoolRow r : this.pools.values()) {
        pools.row(r.poolId, String.format("%,d", r.shakes), n(r, OutcomeCode.WON), n(r, OutcomeCode.ALREADY_WON),
            n(r, OutcomeCode.NOT_LUCKY), n(r, OutcomeCode.POOL_EXHAUSTED), n(r, OutcomeCode.POOL_NOT_ACTIVE),
            n(r, OutcomeCode.UNKNOWN_POOL), n(r, OutcomeCode.REJECTED), String.format("%,d", r.duplicates),
            String.format("%,d", r.grantedCount), String.format("%,d", r.totalCount), Table.money(r.grantedCents),
            r.totalCents == 0 ? "-" : Table.money(r.totalCents),
            r.grantedCount == 0 ? "-" : Table.money(r.minSeen), r.grantedCount == 0 ? "-" : Table.money(r.maxSeen));
      }
      return pools.render() + Check.render(checks) + (clean() ? "AUDIT CLEAN: every invariant holds\n"
          : "AUDIT FAILED: " + this.checks.stream().filter(c -> !c.passed()).count() + " check(s) violated\n");
    }

    private static String n(PoolRow r, OutcomeCode code) {
      return String.format("%,d", r.outcomes.getOrDefault(code, 0L));
    }
  }

  private Audit() {}

  public static Report run(Input in) {
    Map<String, PoolRow> rows = new TreeMap<>();
    for (PoolDefinition p : in.pools().values()) {
      PoolRow row = rows.computeIfAbsent(p.getPoolId(), PoolRow::new);
      row.totalCount = p.getTotalCount();
      row.totalCents = p.getTotalCents();
    }
    List<Check> checks = new ArrayList<>();

    // Grants: decode, unique ids.
    Map<String, Grant> grants = new LinkedHashMap<>();
    Map<String, byte[]> grantBytes = new HashMap<>();
    List<String> dupIds = new ArrayList<>();
    for (byte[] bytes : in.grantRecords()) {
      Grant g = Codecs.GRANT.decode(bytes);
      if (grants.put(g.getGrantId(), g) != null) {
        dupIds.add(g.getGrantId());
      }
      grantBytes.put(g.getGrantId(), bytes);
    }
    checks.add(new Check("4", "grant ids are unique", dupIds.size(), Check.samples(dupIds, "no grant id twice")));

    // Invariant 1: per pool, counts and cents within budget; exhausted pays exactly; each packet in [min, max].
    List<String> overCount = new ArrayList<>();
    List<String> overBudget = new ArrayList<>();
    List<String> exhaustedInexact = new ArrayList<>();
    List<String> outOfBounds = new ArrayList<>();
    List<String> noPool = new ArrayList<>();
    for (Grant g : grants.values()) {
      PoolDefinition p = in.pools().get(g.getPoolId());
      PoolRow row = rows.computeIfAbsent(g.getPoolId(), PoolRow::new);
      row.grantedCount++;
      row.grantedCents += g.getCents();
      row.minSeen = Math.min(row.minSeen, g.getCents());
      row.maxSeen = Math.max(row.maxSeen, g.getCents());
      if (p == null) {
        noPool.add(g.getGrantId());
      } else if (g.getCents() < p.getMinCents() || g.getCents() > p.getMaxCents()) {
        outOfBounds.add(g.getGrantId() + "=" + g.getCents());
      }
    }
    for (PoolRow row : rows.values()) {
      PoolDefinition p = in.pools().get(row.poolId);
      if (p == null) {
        continue;
      }
      if (row.grantedCount > p.getTotalCount()) {
        overCount.add(row.poolId + ": " + row.grantedCount + " > " + p.getTotalCount());
      }
      if (row.grantedCents > p.getTotalCents()) {
        overBudget.add(row.poolId + ": " + Table.money(row.grantedCents) + " > " + Table.money(p.getTotalCents()));
      }
      if (row.grantedCount == p.getTotalCount() && row.grantedCents != p.getTotalCents()) {
        exhaustedInexact.add(row.poolId + ": paid " + Table.money(row.grantedCents) + " of " + Table.money(p.getTotalCents()));
      }
    }
    checks.add(new Check("1", "granted count <= total count", overCount.size(), Check.samples(overCount, "per pool")));
    checks.add(new Check("1", "granted cents <= budget", overBudget.size(), Check.samples(overBudget, "per pool, to the cent")));
    checks.add(new Check("1", "an exhausted pool paid exactly its budget", exhaustedInexact.size(),
        Check.samples(exhaustedInexact, exhaustedSummary(rows, in.pools()))));
    checks.add(new Check("1", "every packet within [min, max]", outOfBounds.size() + noPool.size(),
        Check.samples(outOfBounds.isEmpty() ? noPool : outOfBounds, String.format("%,d packets checked", grants.size()))));

    // Invariant 2: per-user limit per (user, pool).
    Map<String, Integer> perUser = new HashMap<>();
    List<String> overLimit = new ArrayList<>();
    for (Grant g : grants.values()) {
      String k = g.getPoolId() + "|" + g.getUserId();
      int n = perUser.merge(k, 1, Integer::sum);
      PoolDefinition p = in.pools().get(g.getPoolId());
      if (p != null && n == p.getPerUserLimit() + 1) {
        overLimit.add(g.getUserId() + " in " + g.getPoolId());
      }
    }
    checks.add(new Check("2", "grants per (user, pool) <= per-user limit", overLimit.size(),
        Check.samples(overLimit, String.format("%,d winners checked", perUser.size()))));

    // Invariant 3: every shake has exactly one outcome (a retry may be answered again, always alike);
    // a shakeId never wins twice; outcomes match grants.
    Map<String, ShakeOutcome> primary = new HashMap<>();
    List<String> twoOutcomes = new ArrayList<>();
    long answeredAgain = 0;
    for (ShakeOutcome o : in.outcomes()) {
      String key = shakeKey(o.getPoolId(), o.getUserId(), o.getShakeId());
      ShakeOutcome before = primary.putIfAbsent(key, o);
      if (before != null) {
        answeredAgain++;
        rows.computeIfAbsent(o.getPoolId(), PoolRow::new).duplicates++;
        if (before.getOutcome() != o.getOutcome() || !Objects.equals(before.getGrantId(), o.getGrantId())
            || !Objects.equals(before.getCents(), o.getCents())) {
          twoOutcomes.add(o.getShakeId() + ": " + before.getOutcome() + " then " + o.getOutcome());
        }
      }
    }
    Map<String, Boolean> sent = new HashMap<>();
    for (Shake s : in.shakesInLogOrder()) {
      sent.put(shakeKey(s.getPoolId(), s.getUserId(), s.getShakeId()), Boolean.TRUE);
    }
    List<String> missing = new ArrayList<>();
    for (String k : sent.keySet()) {
      if (!primary.containsKey(k)) {
        missing.add(k);
      }
    }
    List<String> unexpected = new ArrayList<>();
    for (String k : primary.keySet()) {
      if (!sent.containsKey(k)) {
        unexpected.add(k);
      }
    }
    checks.add(new Check("3", "every shake has an outcome", missing.size(),
        Check.samples(missing, String.format("%,d distinct shakes, %,d answered", sent.size(), primary.size()))));
    checks.add(new Check("3", "no shake has two different outcomes", twoOutcomes.size() + unexpected.size(),
        Check.samples(twoOutcomes.isEmpty() ? unexpected : twoOutcomes, String.format("%,d retries answered alike", answeredAgain))));
    Map<String, Integer> winsPerShake = new HashMap<>();
    List<String> wonTwice = new ArrayList<>();
    for (Grant g : grants.values()) {
      if (winsPerShake.merge(shakeKey(g.getPoolId(), g.getUserId(), g.getShakeId()), 1, Integer::sum) == 2) {
        wonTwice.add(g.getShakeId());
      }
    }
    checks.add(new Check("3", "a shakeId never yields a second grant", wonTwice.size(), Check.samples(wonTwice, "")));
    List<String> mismatched = new ArrayList<>();
    long won = 0;
    for (ShakeOutcome o : primary.values()) {
      PoolRow row = rows.computeIfAbsent(o.getPoolId(), PoolRow::new);
      row.shakes++;
      row.outcomes.merge(o.getOutcome(), 1L, Long::sum);
      if (o.getOutcome() == OutcomeCode.WON) {
        won++;
        Grant g = o.getGrantId() == null ? null : grants.get(o.getGrantId());
        if (g == null || g.getCents() != o.getCents() || !g.getShakeId().equals(o.getShakeId())) {
          mismatched.add(o.getShakeId() + " -> " + o.getGrantId());
        }
      }
    }
    if (won != grants.size()) {
      mismatched.add(String.format("%,d WON outcomes but %,d grants", won, grants.size()));
    }
    checks.add(new Check("3", "each WON outcome matches one grant", mismatched.size(), Check.samples(mismatched, "")));

    // Invariant 6: the grants are exactly those a deterministic replay of the shakes log produces.
    Map<String, byte[]> replayed = replay(in.pools(), in.shakesInLogOrder());
    List<String> diff = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : replayed.entrySet()) {
      byte[] actual = grantBytes.get(e.getKey());
      if (actual == null) {
        diff.add("missing " + e.getKey());
      } else if (!Arrays.equals(actual, e.getValue())) {
        diff.add("differs " + e.getKey());
      }
    }
    for (String id : grantBytes.keySet()) {
      if (!replayed.containsKey(id)) {
        diff.add("extra " + id);
      }
    }
    checks.add(new Check("6", "grants byte-identical to a replay of the shakes", diff.size(),
        Check.samples(diff, String.format("%,d grants recomputed", replayed.size()))));
    return new Report(rows, checks);
  }

  /** Recomputes every grant from the shakes, in log order, with the job's own rules. */
  public static Map<String, byte[]> replay(Map<String, PoolDefinition> pools, List<Shake> shakesInLogOrder) {
    Map<String, MemorySetStore> stores = new HashMap<>();
    Map<String, byte[]> result = new LinkedHashMap<>();
    for (Shake s : shakesInLogOrder) {
      PoolDefinition p = pools.get(s.getPoolId());
      if (p == null || s.getSetId() < 0 || s.getSetId() >= p.getSets()) {
        continue;
      }
      MemorySetStore store = stores.computeIfAbsent(Keys.set(s.getPoolId(), s.getSetId()), k -> new MemorySetStore());
      Decision d = SetAllocator.decide(p, s, store);
      if (d.grant() != null) {
        result.put(d.grant().getGrantId(), Codecs.GRANT.encode(d.grant()));
      }
    }
    return result;
  }

  /** A shakeId is the client's idempotency key, scoped to its user and pool. */
  private static String shakeKey(String poolId, String userId, String shakeId) {
    return poolId + "|" + userId + "|" + shakeId;
  }

  private static String exhaustedSummary(Map<String, PoolRow> rows, Map<String, PoolDefinition> pools) {
    long exhausted = rows.values().stream()
        .filter(r -> pools.containsKey(r.poolId) && r.grantedCount == pools.get(r.poolId).getTotalCount()).count();
    return exhausted + " of " + pools.size() + " pool(s) exhausted";
  }
}
