package io.redpacket.launcher;

import io.redpacket.ingest.IngestServer;
import io.redpacket.live.LiveServer;
import io.redpacket.simulator.HttpWave;
import io.redpacket.simulator.WavePlan;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's wave over HTTP: virtual users shaking through the ingest and obeying its client policy,
 * with the policy drill if asked for, the live page's edge panel, and what it printed and summed up.
 */
final class DemoHttpWave {
  /** How it went: the users' shakes per second, and the summary lines of the client policy. */
  record Ran(double rate, List<String> summary) {}

  private final String url;
  private final String secret;
  private final WaveOptions wave;
  private final boolean policyDrill;

  DemoHttpWave(String url, String secret, WaveOptions wave, boolean policyDrill) {
    this.url = url;
    this.secret = secret;
    this.wave = wave;
    this.policyDrill = policyDrill;
  }

  /** Runs the wave; {@code offered} follows the shakes sent, for the demo's progress line. */
  Ran run(WavePlan plan, AtomicLong offered, SimulatorMetrics clients, IngestServer ingest, LiveServer live)
      throws Exception {
    HttpWave http = new HttpWave(url, secret, wave.concurrency, Duration.ofSeconds(10));
    List<String> summary = new ArrayList<>();
    double rate;
    PolicyDrill drill = !policyDrill ? null : new PolicyDrill(ingest, http, wave.shakes, 0.15, 0.35);
    if (drill != null) {
      System.out.printf("client policy drill: once 15%% of the shakes are made, the operator holds the client policy"
          + " at level %d for 10 s and then lets it go; the users shake at the pace the ingest took at level 0 for"
          + " those 10 s and 10 s after (no drill if the load kept the policy above 0 until 35%%)%n", PolicyDrill.LEVEL);
    }
    boolean[] started = {false};
    // The ingest's load level each second and what set it, for the per-second table.
    Map<Long, JsonObject> load = new ConcurrentHashMap<>();
    try {
      HttpWave.Result r = http.run(plan, wave.shakes, wave.concurrency, 0, x -> {
        if (!x.seconds.isEmpty()) {
          load.put(x.seconds.get(x.seconds.size() - 1)[0], ingest.loadSignals());
        }
        offered.set(x.sent.get());
        clients.wave.set(x);
        if (!started[0]) { // the first progress, a second in: the wave's counters exist
          started[0] = true;
          live.serveEdge(() -> edge(ingest, x));
          if (drill != null) {
            drill.start(x);
          }
        }
      });
      clients.wave.set(r);
      offered.set(r.sent.get());
      double seconds = Math.max(0.001, r.elapsed.toMillis() / 1000.0);
      rate = r.gestures.get() / seconds;
      System.out.printf("wave over HTTP: %,d shakes by the users in %.1f s (%,.0f/s), %,d of them answered by the"
          + " client policy on the phone, %,d sent (%,.0f/s); shake to outcome:%n", r.gestures.get(), seconds, rate,
          r.answeredByClient(), r.sent.get(), r.sent.get() / seconds);
      System.out.print(r.render());
      System.out.println("offered load per second (users' shakes, those sent to the ingest, the client policy the"
          + " users obeyed, and the ingest's load level with the signals that set it):");
      System.out.print(PolicyDrill.table(r, load));
      System.out.println(PolicyDrill.setBy(load));
      if (r.timedOut.get() > 0 || r.gaveUp.get() > 0) {
        System.out.printf("%,d shakes timed out and %,d gave up after retries: the clients say so, the audit checks"
            + " the ones Kafka accepted%n", r.timedOut.get(), r.gaveUp.get());
      }
      summary.add(String.format("shakes answered by client policy: %d", r.answeredByClient()));
      // The wave's rate counts the shakes the phones answered themselves alike with those the system answered: it
      // rises when the client policy sheds more. What reached the ingest, and how fast it was answered, say the rest.
      summary.add(String.format("shakes sent to the ingest per second: %.0f", r.sent.get() / seconds));
      summary.add("shake to outcome p50 ms: " + percentileMillis(r.toOutcome, 50));
      summary.add("shake to outcome p99 ms: " + percentileMillis(r.toOutcome, 99));
      double[] byLevel = PolicyDrill.offeredByLevel(r);
      for (int level = 0; level < byLevel.length; level++) {
        summary.add(String.format("offered shakes per second at client policy level %d: %s", level,
            figure(byLevel[level])));
      }
      if (drill != null && drill.tightenedAt() < 0) {
        System.out.println("client policy drill: not played; the load level kept the policy above 0 for most of"
            + " the wave, see the table above");
      } else if (drill != null) {
        double[] o = drill.offered(r);
        summary.add(String.format("client policy tightened at s: %.1f", drill.tightenedAt()));
        summary.add(String.format("client policy released at s: %.1f", drill.releasedAt()));
        summary.add("offered shakes per second before tight: " + figure(o[0]));
        summary.add("offered shakes per second while tight: " + figure(o[1]));
        summary.add("offered shakes per second after: " + figure(o[2]));
      }
      return new Ran(rate, List.copyOf(summary));
    } finally {
      if (drill != null) {
        drill.stop();
      }
      http.close();
    }
  }

  private static String figure(double perSecond) {
    return perSecond < 0 ? "-" : String.format("%.0f", perSecond);
  }

  /** A percentile of a histogram of nanoseconds, in whole milliseconds; "-" when it holds nothing. */
  static String percentileMillis(org.HdrHistogram.AbstractHistogram h, double percentile) {
    return h.getTotalCount() == 0 ? "-" : String.format("%.0f", h.getValueAtPercentile(percentile) / 1e6);
  }

  /** The live page's edge panel: the ingest's funnel, and what the users made and answered themselves. */
  static io.vertx.core.json.JsonObject edge(IngestServer ingest, HttpWave.Result r) {
    var h = r.toOutcome;
    return ingest.edge().put("usersShakes", r.gestures.get()).put("answeredByClient", r.answeredByClient())
        .put("sent", r.sent.get()).put("p50Ms", h.getTotalCount() == 0 ? null : h.getValueAtPercentile(50) / 1e6)
        .put("p99Ms", h.getTotalCount() == 0 ? null : h.getValueAtPercentile(99) / 1e6);
  }
}
