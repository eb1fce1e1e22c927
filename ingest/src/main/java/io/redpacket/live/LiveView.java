package io.redpacket.live;

import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.PoolStatus;
import io.redpacket.avro.Wallet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * What the live page shows, folded from the output streams as they come: per pool what was
 * granted and what is left per set, the money granted, credited and refunded (from the ledger),
 * the wallets, the largest packets, and per-second series for the charts. Plain Java, no Kafka
 * nor HTTP, so it is tested on its own. Not thread-safe: one reader thread feeds it, snapshots
 * are taken under its lock.
 */
public final class LiveView {
  static final int SERIES_SECONDS = 120;
  static final int TOP = 10;

  /** One pool: granted from the grants, left per set from the pool status. */
  public static final class PoolRow {
    public long grants;
    public long grantedCents;
    public int sets;
    public final TreeMap<Integer, PoolStatus> bySet = new TreeMap<>();

    public long remainingCount() {
      return bySet.values().stream().mapToLong(PoolStatus::getRemainingCount).sum();
    }

    public long remainingCents() {
      return bySet.values().stream().mapToLong(PoolStatus::getRemainingCents).sum();
    }

    public long exhaustedSets() {
      return bySet.values().stream().filter(PoolStatus::getExhausted).count();
    }
  }

  /** Money by ledger entry kind, in cents and entries. */
  public final Map<EntryKind, long[]> money = new LinkedHashMap<>();
  public final Map<String, PoolRow> pools = new TreeMap<>();
  private final Map<String, Long> wallets = new HashMap<>();
  private long walletCents;
  private final PriorityQueue<Grant> largest = new PriorityQueue<>(
      (a, b) -> a.getCents() != b.getCents() ? Long.compare(a.getCents(), b.getCents()) : b.getGrantId().compareTo(a.getGrantId()));
  /** Per wall-clock second: grants, cents granted, cents credited (grants and pieces). */
  private final TreeMap<Long, long[]> seconds = new TreeMap<>();

  public LiveView() {
    for (EntryKind k : EntryKind.values()) {
      money.put(k, new long[2]);
    }
  }

  public void onGrant(Grant g, long nowMillis) {
    PoolRow row = pools.computeIfAbsent(g.getPoolId(), k -> new PoolRow());
    row.grants++;
    row.grantedCents += g.getCents();
    largest.add(g);
    if (largest.size() > TOP) {
      largest.poll();
    }
    long[] s = second(nowMillis);
    s[0]++;
    s[1] += g.getCents();
  }

  public void onPoolStatus(PoolStatus p) {
    PoolRow row = pools.computeIfAbsent(p.getPoolId(), k -> new PoolRow());
    row.sets = p.getSets();
    PoolStatus before = row.bySet.get(p.getSetId());
    if (before == null || before.getRemainingCount() >= p.getRemainingCount()) { // a set never refills: keep the latest
      row.bySet.put(p.getSetId(), p);
    }
  }

  public void onLedger(LedgerEntry e, long nowMillis) {
    long[] m = money.get(e.getKind());
    m[0] += e.getCreditCents();
    m[1]++;
    if (e.getKind() == EntryKind.CREDIT || e.getKind() == EntryKind.SHARE_CREDIT) {
      second(nowMillis)[2] += e.getCreditCents();
    }
  }

  public void onWallet(Wallet w) {
    Long before = wallets.put(w.getUserId(), w.getBalanceCents());
    walletCents += w.getBalanceCents() - (before == null ? 0 : before);
  }

  public long cents(EntryKind k) {
    return money.get(k)[0];
  }

  public long entries(EntryKind k) {
    return money.get(k)[1];
  }

  public int walletCount() {
    return wallets.size();
  }

  public long walletCents() {
    return walletCents;
  }

  public long grants() {
    return pools.values().stream().mapToLong(r -> r.grants).sum();
  }

  public long grantedCents() {
    return pools.values().stream().mapToLong(r -> r.grantedCents).sum();
  }

  /** The largest packets so far, largest first. */
  public List<Grant> largest() {
    List<Grant> l = new ArrayList<>(largest);
    l.sort((a, b) -> Long.compare(b.getCents(), a.getCents()));
    return l;
  }

  /** The last {@link #SERIES_SECONDS} seconds up to {@code nowMillis}: {second, grants, cents granted, cents credited}. */
  public List<long[]> series(long nowMillis) {
    long last = nowMillis / 1000;
    List<long[]> out = new ArrayList<>();
    for (long s = last - SERIES_SECONDS + 1; s <= last; s++) {
      long[] v = seconds.getOrDefault(s, new long[3]);
      out.add(new long[] {s, v[0], v[1], v[2]});
    }
    return out;
  }

  private long[] second(long nowMillis) {
    long s = nowMillis / 1000;
    while (!seconds.isEmpty() && seconds.firstKey() < s - SERIES_SECONDS) {
      seconds.pollFirstEntry();
    }
    return seconds.computeIfAbsent(s, k -> new long[3]);
  }
}
