package io.redpacket.ingest;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The service's load level, from measured signals, and what each level sheds, in the order of
 * the design's lossy service: sharing first, then opening (both can be retried later), and only
 * then shakes, which are sampled harder but never refused outright. The money path is never shed.
 *
 * <pre>
 * level 0  normal
 * level 1  shed sharing*       in-flight >= 50% | Kafka ack >= 100 ms | event-loop delay >= 20 ms
 * level 2  shed opening*       in-flight >= 75% | Kafka ack >= 500 ms | event-loop delay >= 100 ms
 * level 3  sample shakes 1:2   in-flight >= 90% | Kafka ack >= 2 s    | event-loop delay >= 500 ms
 *          (* at the backend's level: without the event-loop delay)
 * </pre>
 *
 * <p>Opens and shares are shed by the backend's signals only ({@link #backendLevel}: in flight, Kafka's
 * acknowledgements, a silent job), not by the event loops' delay. A late loop says the edge itself is
 * short of CPU; a refused open or share costs the edge almost what a forwarded one does (parsed,
 * authenticated, answered) and comes back as a retry, so shedding it there adds requests instead of
 * removing them, and keeps a winner from their money. A late loop tightens the client policy and
 * samples shakes harder instead, which remove requests for good. (In the CI demo, where the ingest
 * shares 2 cores with the broker, every job and the simulated users, the loops' delay alone held the
 * level at 2 and 3 and shed 70 % of the opens, which came back as about 3 retries per open.)
 *
 * <p>A job that does not answer ({@link BackendSignal}: recovering) keeps the level at 1 at least:
 * sharing, which would only pile up, waits; opens are not shed for it (a shed open retried later
 * carries a later time stamp and could miss its grant's expiry), shakes never are.
 */
final class LoadLevel {
  /** What a request is, for shedding. */
  enum Kind { SHARE, OPEN, SHAKE }

  private final int maxInFlight;
  private volatile double ackMillis;
  private volatile boolean acked;
  private volatile boolean backendSilent;
  /** Each event loop's smoothed timer lateness (double bits); each slot has one writer, its own loop. */
  private volatile AtomicLongArray loopDelays = new AtomicLongArray(1);

  LoadLevel(int maxInFlight) {
    this.maxInFlight = maxInFlight;
  }

  /** How many event loops report their delay (before they start). */
  void eventLoops(int n) {
    loopDelays = new AtomicLongArray(n);
  }

  /** A Kafka acknowledgement took this long (smoothed: a moving average over about 20 samples). */
  void ackLatency(double millis) {
    ackMillis = ackMillis * 0.95 + millis * 0.05;
    acked = true;
  }

  /**
   * Called every 50 ms. Without acknowledgements since the last tick the ack time fades (by a
   * tenth per tick): when everything is shed nothing is sent, and a stale slow ack must not keep
   * the level up for ever. Requests let through again then measure Kafka afresh.
   */
  void tick() {
    if (!acked) {
      ackMillis = ackMillis * 0.9;
    }
    acked = false;
  }

  /** A timer on the (first) event loop fired this late (smoothed). */
  void loopDelay(double millis) {
    loopDelay(0, millis);
  }

  /** A timer on event loop {@code loop} fired this late (smoothed); the level goes by the latest loop. */
  void loopDelay(int loop, double millis) {
    AtomicLongArray d = loopDelays;
    double smoothed = Double.longBitsToDouble(d.get(loop)) * 0.8 + millis * 0.2;
    d.set(loop, Double.doubleToRawLongBits(smoothed));
  }

  /** Whether a job the ingest waits on is silent (set every 50 ms). */
  void backendSilent(boolean silent) {
    backendSilent = silent;
  }

  int level(int inFlight) {
    return Math.max(backendLevel(inFlight), byLoop());
  }

  /**
   * The level by the backend's signals alone (in flight, Kafka's acknowledgements, a silent job):
   * what sheds opens and shares. The event loops' delay is left out: see the class comment.
   */
  int backendLevel(int inFlight) {
    return Math.max(Math.max(byInFlight(inFlight), byKafka()), byBackend());
  }

  private int byInFlight(int inFlight) {
    double used = (double) inFlight / maxInFlight;
    return used >= 0.9 ? 3 : used >= 0.75 ? 2 : used >= 0.5 ? 1 : 0;
  }

  private int byKafka() {
    return ackMillis >= 2000 ? 3 : ackMillis >= 500 ? 2 : ackMillis >= 100 ? 1 : 0;
  }

  private int byLoop() {
    double loopDelayMillis = loopDelayMillis();
    return loopDelayMillis >= 500 ? 3 : loopDelayMillis >= 100 ? 2 : loopDelayMillis >= 20 ? 1 : 0;
  }

  private int byBackend() {
    return backendSilent ? 1 : 0;
  }

  /** The signals' names, in the order {@link #setBy} checks them. */
  static final java.util.List<String> SIGNALS = java.util.List.of("in_flight", "kafka_ack", "event_loop_delay",
      "backend_silent");

  /** The signals that set the level now (those at it), comma-separated; empty at level 0. */
  String setBy(int inFlight) {
    int[] by = {byInFlight(inFlight), byKafka(), byLoop(), byBackend()};
    int level = Math.max(Math.max(by[0], by[1]), Math.max(by[2], by[3]));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < by.length && level > 0; i++) {
      if (by[i] == level) {
        sb.append(sb.length() == 0 ? "" : ",").append(SIGNALS.get(i));
      }
    }
    return sb.toString();
  }

  /** Whether a request of this kind is shed at this level: sharing from 1, opening from 2; shakes never (sampled at 3). */
  static boolean shed(Kind kind, int level) {
    return switch (kind) {
      case SHARE -> level >= 1;
      case OPEN -> level >= 2;
      case SHAKE -> false;
    };
  }

  /** Whether shakes are sampled harder (half of the admitted ones answered "not lucky" at the edge). */
  static boolean sampleHarder(int level) {
    return level >= 3;
  }

  double ackMillis() {
    return ackMillis;
  }

  /** The latest loop's smoothed delay. */
  double loopDelayMillis() {
    AtomicLongArray d = loopDelays;
    double max = 0;
    for (int i = 0; i < d.length(); i++) {
      max = Math.max(max, Double.longBitsToDouble(d.get(i)));
    }
    return max;
  }
}
