package io.redpacket.simulator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the simulated clients waited for, as they saw it: every record's kind is counted, and each one
 * that waited longer than {@link #BOUND_MILLIS} is kept with when it was sent and when its wait ended
 * (epoch ms), so a drill can say how many waited that long while a given recovery was under way. The
 * kinds the demo records: {@code shakes} (the shake's time stamp to its outcome readable with
 * read_committed), {@code opens} (the open sent to its credit seen, or its final answer) and
 * {@code claims} (a claim sent to its answer).
 */
public final class SlowRecords {
  /** A record that waited longer than this is slow. */
  public static final long BOUND_MILLIS = 5_000;

  /** One slow record: its kind and its wait, epoch ms. */
  public record Slow(String kind, long sentMillis, long endedMillis) {}

  private final Map<String, LongAdder> all = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Slow> slow = new ConcurrentLinkedQueue<>();

  /** A record of {@code kind} sent at {@code sentMillis} whose wait ended at {@code endedMillis}. */
  public void record(String kind, long sentMillis, long endedMillis) {
    all.computeIfAbsent(kind, k -> new LongAdder()).increment();
    if (endedMillis - sentMillis > BOUND_MILLIS) {
      slow.add(new Slow(kind, sentMillis, endedMillis));
    }
  }

  /** The same, for a wait measured on the monotonic clock from {@code sentNanos} until now. */
  public void recordSince(String kind, long sentNanos) {
    long now = System.currentTimeMillis();
    record(kind, now - (System.nanoTime() - sentNanos) / 1_000_000, now);
  }

  /** Records of each kind seen so far. */
  public Map<String, Long> counts() {
    Map<String, Long> out = new LinkedHashMap<>();
    all.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /**
   * Slow records of each of {@code kinds} whose wait overlapped {@code [fromMillis, toMillis]}: they were
   * sent before it ended and still waiting when it began (0 for a kind with none).
   */
  public Map<String, Long> waitingDuring(long fromMillis, long toMillis, String... kinds) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String k : kinds) {
      out.put(k, 0L);
    }
    for (Slow s : slow) {
      if (s.sentMillis() <= toMillis && s.endedMillis() >= fromMillis) {
        out.merge(s.kind(), 1L, Long::sum);
      }
    }
    return out;
  }
}
