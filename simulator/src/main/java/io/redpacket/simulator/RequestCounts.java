package io.redpacket.simulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** What the clients of one kind of request (opens, shares and claims) saw, counted across threads. */
public class RequestCounts {
  public final AtomicLong sent = new AtomicLong();
  public final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
  public final AtomicLong gaveUp = new AtomicLong();
  public final AtomicLong timedOut = new AtomicLong();
  /** Exchanges that got no answer (a lost connection, silence past the exchange limit), sent again. */
  public final AtomicLong unanswered = new AtomicLong();
  /** Requests still waiting on the client past their timeout and a grace, given up (also in timedOut). */
  public final AtomicLong cut = new AtomicLong();

  void count(String answer) {
    answers.computeIfAbsent(answer, k -> new AtomicLong()).incrementAndGet();
  }

  public long answered() {
    return answers.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** The answers by name, in name order, as one table cell. */
  String answersCell() {
    return new TreeMap<>(answers).toString().replace("=", " ");
  }
}
