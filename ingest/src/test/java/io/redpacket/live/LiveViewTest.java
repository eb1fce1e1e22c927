package io.redpacket.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.PoolStatus;
import io.redpacket.avro.Wallet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the live page folds from the streams: totals, what is left per set, the largest packets, per-second series. */
class LiveViewTest {
  static final long T = 1_700_000_000_000L;

  static Grant grant(int i, long cents) {
    return new Grant("p/0/" + i, "s" + i, "u" + i, "p", 0, cents, (long) i, T, "acme", 0L, 0);
  }

  @Test
  void foldsGrantsLedgerWalletsAndPoolStatus() {
    LiveView v = new LiveView();
    for (int i = 1; i <= 12; i++) {
      v.onGrant(grant(i, i * 100L), T + (i <= 6 ? 0 : 1_000));
    }
    v.onLedger(new LedgerEntry("p/0/1/credit", EntryKind.CREDIT, "p/0/1", "p", "u1", "pool:p", 100L, "wallet:u1", 100L, T),
        T + 1_000);
    v.onLedger(new LedgerEntry("p/0/2/refund", EntryKind.REFUND, "p/0/2", "p", "u2", "pool:p", 200L, "sponsor:acme", 200L,
        T), T + 1_000);
    v.onWallet(new Wallet("u1", 100L, 1L, "p/0/1/credit", T));
    v.onWallet(new Wallet("u1", 150L, 2L, "s/piece/1", T)); // the latest balance per user counts
    v.onPoolStatus(new PoolStatus("p", 0, 2, 5L, 500L, 12L, 7_800L, false, T));
    v.onPoolStatus(new PoolStatus("p", 0, 2, 7L, 700L, 10L, 7_600L, false, T)); // replayed older status: ignored
    v.onPoolStatus(new PoolStatus("p", 1, 2, 0L, 0L, 3L, 300L, true, T));

    assertThat(v.grants()).isEqualTo(12);
    assertThat(v.grantedCents()).isEqualTo(7_800);
    assertThat(v.cents(EntryKind.CREDIT)).isEqualTo(100);
    assertThat(v.cents(EntryKind.REFUND)).isEqualTo(200);
    assertThat(v.walletCount()).isEqualTo(1);
    assertThat(v.walletCents()).isEqualTo(150);
    LiveView.PoolRow p = v.pools.get("p");
    assertThat(p.remainingCount()).isEqualTo(5);
    assertThat(p.remainingCents()).isEqualTo(500);
    assertThat(p.exhaustedSets()).isEqualTo(1);
    List<Grant> largest = v.largest();
    assertThat(largest).hasSize(LiveView.TOP).extracting(Grant::getCents).startsWith(1_200L, 1_100L).endsWith(300L);
    List<long[]> series = v.series(T + 1_000);
    assertThat(series).hasSize(LiveView.SERIES_SECONDS);
    assertThat(series.get(series.size() - 1)).containsExactly((T + 1_000) / 1000, 6, 6L * 100 * (7 + 12) / 2, 100);
    assertThat(series.get(series.size() - 2)).containsExactly(T / 1000, 6, 2_100, 0);
  }
}
