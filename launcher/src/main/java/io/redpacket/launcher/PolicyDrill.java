package io.redpacket.launcher;

import io.redpacket.core.Table;
import io.redpacket.ingest.IngestServer;
import io.redpacket.simulator.HttpWave;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's client-policy drill over HTTP: the wave starts at full speed; once a share of it is
 * made, the users keep shaking at the pace the ingest took while the policy was at level 0, and the operator holds the
 * client policy at level 2 for a further share of the wave, then lets it go (it loosens a step
 * every 2 s). The shakes the ingest is offered fall while the policy is tight and rise again as it
 * loosens, though the users shake at the same pace throughout; the load level may tighten it too.
 */
final class PolicyDrill {
  /** The drill's level: 80% of shakes answered on the phone, a user's shakes at least 3 s apart. */
  static final int LEVEL = 2;
  private final IngestServer ingest;
  private final HttpWave wave;
  private final long tightenAt;
  private final long releaseAt;
  private volatile Thread thread;
  private volatile long tightenedNanos;
  private volatile long releasedNanos;
  private volatile long start;

  /**
   * Tightens once {@code from} of the {@code shakes} are made and the users obeyed level 0 for two
   * seconds (the pace to keep); releases after a further {@code to - from} of them; no drill if the
   * load level kept the policy tight until {@code to}.
   */
  PolicyDrill(IngestServer ingest, HttpWave wave, long shakes, double from, double to) {
    this.ingest = ingest;
    this.wave = wave;
    this.tightenAt = (long) (shakes * from);
    this.releaseAt = (long) (shakes * to);
  }

  /** Watches the wave (its counters in {@code r}) on a thread of its own, every 50 ms. */
  void start(HttpWave.Result r) {
    start = r.startNanos;
    Thread t = new Thread(() -> {
      try {
        double calm = -1;
        while (calm < 0 && r.gestures.get() < releaseAt) {
          Thread.sleep(50);
          calm = r.gestures.get() >= tightenAt ? calmRate(r) : -1;
        }
        if (calm < 0) {
          return; // the load level kept the policy tight: no calm pace to measure, no drill
        }
        // The crowd shakes on at the pace the ingest took at level 0, whatever the policy answers.
        wave.pace(Math.max(1, Math.round(calm)));
        ingest.clientPolicyFloor(LEVEL);
        tightenedNanos = System.nanoTime();
        long until = r.gestures.get() + (releaseAt - tightenAt);
        while (r.gestures.get() < until) {
          Thread.sleep(50);
        }
        ingest.clientPolicyFloor(0);
        releasedNanos = System.nanoTime();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "client-policy-drill");
    t.setDaemon(true);
    thread = t;
    t.start();
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
    ingest.clientPolicyFloor(0);
  }

  /** Seconds from the wave's start to the tightening (-1 if it never came). */
  double tightenedAt() {
    return tightenedNanos == 0 ? -1 : (tightenedNanos - start) / 1e9;
  }

  double releasedAt() {
    return releasedNanos == 0 ? -1 : (releasedNanos - start) / 1e9;
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
    Table t = new Table("second", "users' shakes", "sent to the ingest", "client policy level");
    for (long[] s : perSecond(r)) {
      t.row(String.valueOf(s[0]), String.format("%,d", s[1]), String.format("%,d", s[2]), String.valueOf(s[3]));
    }
    return t.render();
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
   * at the drill's level or above, and after it was back at 0; -1 where no whole second fell there.
   */
  double[] offered(HttpWave.Result r) {
    double tight = tightenedAt();
    double released = releasedAt();
    long[] sum = new long[3];
    long[] n = new long[3];
    for (long[] s : perSecond(r)) {
      int phase = tight < 0 || s[0] <= tight ? 0 : s[3] >= LEVEL ? 1 : released > 0 && s[0] > released && s[3] == 0 ? 2 : -1;
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
