package io.redpacket.launcher;

import io.redpacket.avro.Grant;
import io.redpacket.codec.Topics;
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
  private final int users;

  DemoClients(String url, String secret, int users, long openDelayMs, AtomicLong offered) {
    this.users = users;
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

  /** Follows the committed grants; each winner opens its packet (and sometimes someone else's). */
  GrantFollower followGrants(String bootstrap, String prefix) {
    return new GrantFollower(bootstrap, Topics.named(prefix, Topics.GRANTS), g -> {
      granted.put(g.getGrantId(), g);
      openPlan.actionsFor(g, "u" + someone.nextInt(users)).forEach(a -> opens.submit(a, a.atMillis()));
    });
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

  @Override
  public void close() {
    opens.close();
    shares.close();
  }
}
