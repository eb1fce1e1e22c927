package io.redpacket.ingest;

/**
 * The service's load level, from measured signals, and what each level sheds, in the order of
 * the design's lossy service: sharing first, then opening (both can be retried later), and only
 * then shakes, which are sampled harder but never refused outright. The money path is never shed.
 *
 * <pre>
 * level 0  normal
 * level 1  shed sharing        in-flight >= 50% | Kafka ack >= 100 ms | event-loop delay >= 20 ms
 * level 2  shed opening        in-flight >= 75% | Kafka ack >= 500 ms | event-loop delay >= 100 ms
 * level 3  sample shakes 1:2   in-flight >= 90% | Kafka ack >= 2 s    | event-loop delay >= 500 ms
 * </pre>
 */
final class LoadLevel {
  /** What a request is, for shedding. */
  enum Kind { SHARE, OPEN, SHAKE }

  private final int maxInFlight;
  private volatile double ackMillis;
  private volatile boolean acked;
  private volatile double loopDelayMillis;

  LoadLevel(int maxInFlight) {
    this.maxInFlight = maxInFlight;
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

  /** A timer on the event loop fired this late (smoothed). */
  void loopDelay(double millis) {
    loopDelayMillis = loopDelayMillis * 0.8 + millis * 0.2;
  }

  int level(int inFlight) {
    double used = (double) inFlight / maxInFlight;
    int byInFlight = used >= 0.9 ? 3 : used >= 0.75 ? 2 : used >= 0.5 ? 1 : 0;
    int byKafka = ackMillis >= 2000 ? 3 : ackMillis >= 500 ? 2 : ackMillis >= 100 ? 1 : 0;
    int byLoop = loopDelayMillis >= 500 ? 3 : loopDelayMillis >= 100 ? 2 : loopDelayMillis >= 20 ? 1 : 0;
    return Math.max(byInFlight, Math.max(byKafka, byLoop));
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

  double loopDelayMillis() {
    return loopDelayMillis;
  }
}
