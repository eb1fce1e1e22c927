package io.redpacket.launcher;

import io.redpacket.avro.Grant;
import io.redpacket.cluster.DemoStack;
import io.redpacket.codec.Topics;
import io.redpacket.kafka.TopicReader;
import io.redpacket.simulator.GrantFollower;
import io.redpacket.simulator.HttpOpens;
import io.redpacket.simulator.HttpShares;
import io.redpacket.simulator.OpenPlan;
import io.redpacket.simulator.SharePlan;
import io.redpacket.simulator.SocialGraph;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's simulated clients after the shakes: winners open their packets as they learn of them
 * (most do, some twice, some never; some try others'), and once credited some owners share a group
 * packet whose pieces their friends claim. All through the ingest at {@code url}.
 */
final class DemoClients implements AutoCloseable {
  final HttpOpens opens;
  final HttpShares shares;
  final SimulatorMetrics metrics;
  private final OpenPlan openPlan;
  private final SplittableRandom someone = new SplittableRandom(7);
  private final Map<String, Grant> granted = new ConcurrentHashMap<>();
  private final Map<String, Long> expiries = new ConcurrentHashMap<>();
  private final int users;
  private final long openDelayMs;

  DemoClients(String url, String secret, int users, long openDelayMs, AtomicLong offered) {
    this.users = users;
    this.openDelayMs = openDelayMs;
    // Owners wait about a checkpoint for an answer: the clients need many connections, not a queue behind 64.
    opens = new HttpOpens(url, secret, 512, Duration.ofSeconds(60));
    openPlan = new OpenPlan(OpenPlan.Mix.standard(openDelayMs), 2016);
    shares = new HttpShares(url, secret, 512, Duration.ofMinutes(2));
    SharePlan sharePlan = new SharePlan(SharePlan.Mix.standard(2000), new SocialGraph(Math.max(2, users), 20, 2017), 2018);
    metrics = new SimulatorMetrics(offered, opens, shares);
    opens.onCredited(a -> {
      Grant g = granted.remove(a.grantId());
      if (g != null) {
        List<SharePlan.Action> actions;
        synchronized (sharePlan) {
          actions = sharePlan.actionsFor(g);
        }
        shares.submit(actions);
      }
    });
  }

  /**
   * Follows the committed grants; each winner opens its packet (and sometimes someone else's). A grant expires
   * {@code expirySeconds} after it was granted: the clients note when, to tell an open sent too late from one
   * answered EXPIRED though it was sent in time.
   */
  GrantFollower followGrants(String bootstrap, String prefix, long expirySeconds) {
    opens.expiryOf(id -> expiries.getOrDefault(id, Long.MAX_VALUE));
    return new GrantFollower(bootstrap, Topics.named(prefix, Topics.GRANTS), g -> {
      expiries.put(g.getGrantId(), g.getTimestamp() + expirySeconds * 1000);
      granted.put(g.getGrantId(), g);
      openPlan.actionsFor(g, "u" + someone.nextInt(users)).forEach(a -> opens.submit(a, a.atMillis()));
    });
  }

  /**
   * Waits, bounded, until every grant was seen by its winner, every open answered, and every
   * grant settled: credited, or refunded at expiry (two ledger entries per grant).
   */
  boolean awaitSettled(DemoStack stack, GrantFollower winners, long expirySeconds, long shareExpirySeconds) {
    long grants = TopicReader.forEach(stack.bootstrap(), Topics.named(stack.topicPrefix(), Topics.GRANTS), true, r -> {});
    Duration bound = Duration.ofSeconds(Math.max(expirySeconds, shareExpirySeconds)).plus(Duration.ofMillis(openDelayMs))
        .plusMinutes(3);
    System.out.printf("settling %,d grants: winners open theirs, the rest are refunded %d s after they were granted;"
        + " shares are claimed, or refunded %d s after they were made ...%n", grants, expirySeconds, shareExpirySeconds);
    long[] lastRead = {0};
    long[] entries = {0};
    long[] moves = {0};
    long[] openShares = {0};
    try {
      io.redpacket.kafka.Await.until("every grant and share settled", bound, () -> {
        // Counting the ledger reads it from the start: once every 2 s, with a progress line, is enough.
        if (System.nanoTime() - lastRead[0] > 2_000_000_000L) {
          lastRead[0] = System.nanoTime();
          entries[0] = TopicReader.forEach(stack.bootstrap(), Topics.named(stack.topicPrefix(), Topics.LEDGER), true, r -> {});
          moves[0] = TopicReader.forEach(stack.bootstrap(), Topics.named(stack.topicPrefix(), Topics.SHARE_GRANTS), true, r -> {});
          java.util.Map<String, io.redpacket.avro.SharePhase> phases = new java.util.HashMap<>();
          TopicReader.forEach(stack.bootstrap(), Topics.named(stack.topicPrefix(), Topics.SHARE_STATES), true, r -> {
            var st = io.redpacket.codec.Codecs.SHARE_STATE.decode(r.value());
            phases.put(st.getShareId(), st.getPhase());
          });
          openShares[0] = phases.values().stream().filter(p -> p == io.redpacket.avro.SharePhase.OPEN).count();
          System.out.printf("  grants seen by winners %,d/%,d | opens waiting %,d | share requests waiting %,d"
                  + " | shares open %,d | ledger entries %,d/%,d%n", winners.seen(), grants, opens.pending(),
              shares.pending(), openShares[0], entries[0], 2 * grants + moves[0]);
        }
        return winners.seen() >= grants && opens.pending() == 0 && shares.pending() == 0 && openShares[0] == 0
            && entries[0] >= 2 * grants + moves[0];
      });
      return true;
    } catch (RuntimeException e) {
      System.err.println("settlement did not finish within " + bound.toSeconds() + " s (" + e.getMessage()
          + "): is the settlement job running? see " + stack.webUi());
      return false;
    }
  }

  /** What the clients saw of their opens, shares and claims. */
  void printResults(String url) {
    System.out.println("opens through the ingest (" + url + "):");
    System.out.print(opens.result().render());
    System.out.println("shares and claims through the ingest (sharing is shed first under load; clients retry):");
    System.out.print(shares.result().render());
    long cut = opens.result().cut.get() + shares.result().cut.get();
    if (cut > 0) {
      System.out.printf("%,d requests were still in progress on the client (waiting for a connection, an"
          + " answer or a credit) %d s past their timeout and were given up (counted as timed out); the audit"
          + " checks what the backend answered%n", cut, HttpShares.GRACE_SECONDS);
    }
  }

  /** The demo's last words: the figures its user sees, as {@code key: value} lines. */
  void printSummary(double waveShakesPerSecond) {
    HttpOpens.Result r = opens.result();
    var h = r.openToCreditedSoFar();
    System.out.println("summary (opens shed percent: 429 and 503 answers per 100 open requests sent; expired though"
        + " sent in time: opens answered EXPIRED that their owners sent (put on the wire) before the grant's expiry; of those, stamped in"
        + " time: the ones the ingest stamped before the expiry, askedAt in its answer):");
    System.out.printf("wave shakes per second: %.0f%n", waveShakesPerSecond);
    System.out.println("open to credited p99 ms: " + DemoHttpWave.percentileMillis(h, 99));
    System.out.printf("opens shed percent: %.2f%n", r.shedPercent());
    System.out.printf("opens expired though sent in time: %d%n", r.expiredThoughSentInTime.get());
    // Of those, the ones the ingest stamped before the expiry: the backend's own misses. The others reached
    // the ingest after the expiry (in the demo: clients and ingest starved of CPU in one process).
    System.out.printf("opens expired though stamped in time: %d%n", r.expiredThoughStampedInTime());
    // Where those EXPIRED answers came from (edge, backend, poll after 202), each a different cause to look at.
    System.out.printf("opens expired though stamped in time, by where: %s%n",
        r.expiredThoughStampedInTimeBy.isEmpty() ? "-" : r.expiredThoughStampedInTimeBy.toString());
  }

  @Override
  public void close() {
    opens.close();
    shares.close();
  }
}
