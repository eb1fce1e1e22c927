package io.redpacket.launcher;

import io.redpacket.core.Table;
import io.redpacket.ingest.IngestServer;
import io.redpacket.simulator.HttpWave;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * The demo's client-policy drill over HTTP: the wave starts at full speed; once a share of it is
 * made and the users obeyed level 0 for two seconds, the users keep shaking at the pace the ingest
 * took then, and the operator holds the client policy at level 2 for a while, then lets it go (it
 * loosens a step every 2 s). The shakes the ingest is offered fall while the policy is tight and
 * rise again as it loosens, though the users shake at the same pace throughout; the load level may
 * tighten it too. The drill is bounded in time, not in shakes: the calm pace may be a few shakes a
 * second on a crowded machine, and a drill counted in shakes at that pace would hold the wave for hours.
 */
final class PolicyDrill {
  /** The drill's level: 80% of shakes answered on the phone, a user's shakes at least 3 s apart. */
  static final int LEVEL = 2;
  private final IntConsumer floor;
  private final LongConsumer pace;
  private final long tightenAt;
  private final long giveUpAt;
  private final Duration tight;
  private final Duration after;
  private volatile Thread thread;
  private volatile long tightenedNanos;
  private volatile long releasedNanos;
  private volatile long unpacedNanos;
  private volatile long start;

  /** The demo's drill: on the ingest's policy floor and the wave's pace, tight for 10 s and watched 10 s after. */
  PolicyDrill(IngestServer ingest, HttpWave wave, long shakes, double from, double to) {
    this(ingest::clientPolicyFloor, wave::pace, shakes, from, to, Duration.ofSeconds(10), Duration.ofSeconds(10));
  }

  /**
   * Tightens once {@code from} of the {@code shakes} are made and the users obeyed level 0 for two
   * seconds (the pace to keep), holds the policy at {@link #LEVEL} for {@code tight}, releases it, and
   * lets the users shake at full speed again {@code after} that; no drill if the load level kept the
   * policy tight until {@code to} of the shakes were made.
   */
  PolicyDrill(IntConsumer floor, LongConsumer pace, long shakes, double from, double to, Duration tight,
      Duration after) {
    this.floor = floor;
    this.pace = pace;
    this.tightenAt = (long) (shakes * from);
    this.giveUpAt = (long) (shakes * to);
    this.tight = tight;
    this.after = after;
  }

  /** Watches the wave (its counters in {@code r}) on a thread of its own, every 50 ms. */
  void start(HttpWave.Result r) {
    start = r.startNanos;
    Thread t = new Thread(() -> {
      try {
        double calm = -1;
        while (calm < 0 && r.gestures.get() < giveUpAt) {
          Thread.sleep(50);
          calm = r.gestures.get() >= tightenAt ? calmRate(r) : -1;
        }
        if (calm < 0) {
          return; // the load level kept the policy tight: no calm pace to measure, no drill
        }
        // The crowd shakes on at the pace the ingest took at level 0, whatever the policy answers.
        pace.accept(Math.max(1, Math.round(calm)));
        try {
          floor.accept(LEVEL);
          tightenedNanos = System.nanoTime();
          Thread.sleep(tight.toMillis());
          floor.accept(0);
          releasedNanos = System.nanoTime();
          Thread.sleep(after.toMillis());
        } finally {
          pace.accept(0); // full speed again, however the drill ended
          unpacedNanos = System.nanoTime();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "client-policy-drill");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** Waits for the drill's thread to end, at most {@code timeout}; true if it ended. */
  boolean await(Duration timeout) throws InterruptedException {
    Thread t = thread;
    if (t != null) {
      t.join(Math.max(1, timeout.toMillis()));
    }
    return t == null || !t.isAlive();
  }

  /** Shakes sent per second over the seconds the users obeyed level 0, once there are two; else -1. */
  static double calmRate(HttpWave.Result r) {
    long sent = 0;
    int n = 0;
    for (long[] s : perSecond(r)) {
      if (s[3] == 0 && s[0] > 1) { // the first second is the clients' and the jobs' start
        sent += s[2];
        n++;
      }
    }
    return n < 2 ? -1 : (double) sent / n;
  }

  void stop() {
    if (thread != null) {
      thread.interrupt();
    }
    floor.accept(0);
  }

  /** Seconds from the wave's start to the tightening (-1 if it never came). */
  double tightenedAt() {
    return tightenedNanos == 0 ? -1 : (tightenedNanos - start) / 1e9;
  }

  double releasedAt() {
    return releasedNanos == 0 ? -1 : (releasedNanos - start) / 1e9;
  }

  /** Seconds from the wave's start to the users' return to full speed (-1 if the drill never paced them). */
  double unpacedAt() {
    return unpacedNanos == 0 ? -1 : (unpacedNanos - start) / 1e9;
  }

  /** Per second of the wave: the users' shakes, those sent to the ingest, and the policy level the users obeyed. */
  static List<long[]> perSecond(HttpWave.Result r) {
    List<long[]> out = new ArrayList<>();
    long[] prev = {0, 0, 0, 0};
    for (long[] s : r.seconds) {
      out.add(new long[] {s[0], s[1] - prev[1], s[2] - prev[2], s[3]});
      prev = s;
    }
    return out;
  }

  static String table(HttpWave.Result r) {
    return table(r, Map.of());
  }

  /**
   * The same with the ingest's load level each second and what set it ({@code load}: by second, as
   * {@link io.redpacket.ingest.IngestServer#loadSignals} gave it then).
   */
  static String table(HttpWave.Result r, Map<Long, JsonObject> load) {
    List<String> header = new ArrayList<>(List.of("second", "users' shakes", "sent to the ingest", "client policy level"));
    if (!load.isEmpty()) {
      header.addAll(List.of("load level", "set by", "in flight", "Kafka ack ms", "event-loop delay ms"));
    }
    Table t = new Table(header.toArray(String[]::new));
    for (long[] s : perSecond(r)) {
      List<String> row = new ArrayList<>(List.of(String.valueOf(s[0]), String.format("%,d", s[1]),
          String.format("%,d", s[2]), String.valueOf(s[3])));
      JsonObject l = load.get(s[0]);
      if (!load.isEmpty()) {
        row.addAll(l == null ? List.of("-", "", "", "", "") : List.of(String.valueOf(l.getInteger("level")),
            l.getString("setBy", ""), String.format("%,d", l.getInteger("inFlight")),
            String.format("%.0f", l.getDouble("kafkaAckMs")), String.format("%.0f", l.getDouble("eventLoopDelayMs"))));
      }
      t.row(row.toArray(String[]::new));
    }
    return t.render();
  }

  /**
   * Of the seconds at load level 2 or more, how many each signal set (a second may count for two):
   * one line, e.g. {@code load level 2+ in 30 s, set by event_loop_delay 28 s, kafka_ack 4 s}.
   */
  static String setBy(Map<Long, JsonObject> load) {
    Map<String, Integer> by = new java.util.TreeMap<>();
    int high = 0;
    for (JsonObject l : load.values()) {
      if (l.getInteger("level") >= 2) {
        high++;
        for (String signal : l.getString("setBy", "").split(",")) {
          if (!signal.isEmpty()) {
            by.merge(signal, 1, Integer::sum);
          }
        }
      }
    }
    StringBuilder sb = new StringBuilder("load level 2+ in ").append(high).append(" s");
    String sep = ", set by ";
    for (var e : by.entrySet()) {
      sb.append(sep).append(e.getKey()).append(' ').append(e.getValue()).append(" s");
      sep = ", ";
    }
    return sb.toString();
  }

  /** Shakes sent per second while the users obeyed each policy level (-1 for a level never seen), the first second left out. */
  static double[] offeredByLevel(HttpWave.Result r) {
    long[] sum = new long[4];
    long[] n = new long[4];
    for (long[] s : perSecond(r)) {
      if (s[0] > 1 && s[3] >= 0 && s[3] < 4) {
        sum[(int) s[3]] += s[2];
        n[(int) s[3]]++;
      }
    }
    double[] out = new double[4];
    for (int i = 0; i < 4; i++) {
      out[i] = n[i] == 0 ? -1 : (double) sum[i] / n[i];
    }
    return out;
  }

  /**
   * The offered shakes per second (sent to the ingest) before the tightening, while the policy was
   * at the drill's level or above, and after it was back at 0 while the users kept the drill's pace;
   * -1 where no whole second fell there.
   */
  double[] offered(HttpWave.Result r) {
    double tight = tightenedAt();
    double released = releasedAt();
    double unpaced = unpacedAt() < 0 ? Double.MAX_VALUE : unpacedAt();
    long[] sum = new long[3];
    long[] n = new long[3];
    for (long[] s : perSecond(r)) {
      int phase = tight < 0 || s[0] <= tight ? 0 : s[3] >= LEVEL ? 1 : released > 0 && s[0] > released && s[0] <= unpaced && s[3] == 0 ? 2 : -1;
      if (phase >= 0) {
        sum[phase] += s[2];
        n[phase]++;
      }
    }
    double[] out = new double[3];
    for (int i = 0; i < 3; i++) {
      out[i] = n[i] == 0 ? -1 : (double) sum[i] / n[i];
    }
    return out;
  }
}
