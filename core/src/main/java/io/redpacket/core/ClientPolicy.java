package io.redpacket.core;

/**
 * How the ingest asks its clients to behave at a load level: the share of shakes a client answers
 * itself without sending ("no packet this time", decided on the phone), the least time between one
 * user's shakes, and what to do when an answer does not come in time. The ingest writes it on every
 * answer as one header, {@value #HEADER}; clients parse it with {@link #parse}. One definition for
 * both sides, so the format cannot drift.
 *
 * <pre>
 * level  sample-percent  min-interval-ms  on-timeout  busy-s
 * 0       0                  0            retry        0
 * 1      50               1000            retry        0
 * 2      80               3000            wait         5
 * 3      95              10000            wait        15
 * </pre>
 *
 * <p>{@code epoch} is when the ingest put this policy in force (epoch milliseconds): a client that
 * reads answers out of order keeps the newest.
 *
 * @param level the policy's level, 0 to 3 (the ingest's load level, held; see {@link Hold})
 * @param samplePercent shakes in a hundred the client answers itself, never sending them
 * @param minIntervalMs the least time between two shakes of one user that the client sends
 * @param onTimeout {@code retry}: send the same shake again; {@code wait}: show a friendly busy
 *     message and send nothing for {@code busySeconds}
 * @param busySeconds how long to stop shaking after a timeout, with {@code wait}
 * @param epoch when the policy came into force, epoch ms
 */
public record ClientPolicy(int level, int samplePercent, long minIntervalMs, String onTimeout, int busySeconds,
    long epoch) {
  public static final String HEADER = "X-Client-Policy";
  public static final String RETRY = "retry";
  public static final String WAIT = "wait";
  public static final int LEVELS = 4;
  private static final int[] SAMPLE_PERCENT = {0, 50, 80, 95};
  private static final long[] MIN_INTERVAL_MS = {0, 1000, 3000, 10_000};
  private static final int[] BUSY_SECONDS = {0, 0, 5, 15};
  /** What a client assumes without a (readable) policy: send every shake, as level 0. */
  public static final ClientPolicy DEFAULT = at(0, 0);

  /** The policy of a load level (clamped to 0..3), in force since {@code epoch}. */
  public static ClientPolicy at(int level, long epoch) {
    int l = Math.max(0, Math.min(LEVELS - 1, level));
    return new ClientPolicy(l, SAMPLE_PERCENT[l], MIN_INTERVAL_MS[l], BUSY_SECONDS[l] > 0 ? WAIT : RETRY,
        BUSY_SECONDS[l], epoch);
  }

  /** The header's value: {@code level=1; sample-percent=50; min-interval-ms=1000; on-timeout=retry; busy-s=0; epoch=...}. */
  public String header() {
    return "level=" + level + "; sample-percent=" + samplePercent + "; min-interval-ms=" + minIntervalMs
        + "; on-timeout=" + onTimeout + "; busy-s=" + busySeconds + "; epoch=" + epoch;
  }

  /**
   * Reads a header value. Whatever arrives (missing, cut short, hostile), the answer is a policy a
   * client can obey: unknown keys are skipped, a missing or unreadable field keeps its level's value,
   * numbers are clamped to their ranges, and nothing readable at all gives {@link #DEFAULT}. Never throws.
   */
  public static ClientPolicy parse(String value) {
    if (value == null || value.isEmpty() || value.length() > 512) {
      return DEFAULT;
    }
    int level = -1;
    long sample = -1;
    long interval = -1;
    long busy = -1;
    long epoch = 0;
    String onTimeout = null;
    for (String part : value.split(";", 16)) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String k = part.substring(0, eq).trim();
      String v = part.substring(eq + 1).trim();
      switch (k) {
        case "level" -> level = (int) number(v, 0, LEVELS - 1);
        case "sample-percent" -> sample = number(v, 0, 100);
        case "min-interval-ms" -> interval = number(v, 0, 3_600_000);
        case "busy-s" -> busy = number(v, 0, 3600);
        case "epoch" -> epoch = Math.max(0, number(v, 0, Long.MAX_VALUE));
        case "on-timeout" -> onTimeout = RETRY.equals(v) || WAIT.equals(v) ? v : null;
        default -> { } // a newer ingest's field: ignored
      }
    }
    if (level < 0) {
      return DEFAULT;
    }
    ClientPolicy base = at(level, epoch);
    return new ClientPolicy(level, sample < 0 ? base.samplePercent : (int) sample,
        interval < 0 ? base.minIntervalMs : interval, onTimeout == null ? base.onTimeout : onTimeout,
        busy < 0 ? base.busySeconds : (int) busy, epoch);
  }

  /** A decimal within [min, max], or -1 when it is not one. */
  private static long number(String v, long min, long max) {
    if (v.isEmpty() || v.length() > 19) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
      if (n < 0) { // overflow
        return -1;
      }
    }
    return Math.min(max, Math.max(min, n));
  }

  /**
   * Whether a client answers this shake itself. By the shake's id, not at random: the same shake
   * sent again is sampled the same way, and the share is exact over many shakes.
   */
  public boolean answersItself(String shakeId) {
    return samplePercent > 0 && Math.floorMod(StableHash.of(shakeId), 100) < samplePercent;
  }

  /**
   * The policy level from the load level, over time: up at once when the load rises, down one step
   * only after the load has stayed below for {@code holdMillis}. Clients act on the policy for
   * seconds; a level that flickered every 50 ms would have them obey whichever answer came last,
   * and a policy that loosens the moment the load it shed is gone would bring the load straight back.
   * One writer (the ingest's sampling timer); not thread-safe.
   */
  public static final class Hold {
    private final long holdMillis;
    private int level;
    private long lowSince = -1;

    public Hold(long holdMillis) {
      this.holdMillis = holdMillis;
    }

    /** The policy level now, given the load level now. */
    public int next(int loadLevel, long nowMillis) {
      if (loadLevel >= level) {
        level = loadLevel;
        lowSince = -1;
      } else if (lowSince < 0) {
        lowSince = nowMillis;
      } else if (nowMillis - lowSince >= holdMillis) {
        level--;
        lowSince = level > loadLevel ? nowMillis : -1;
      }
      return level;
    }
  }
}
