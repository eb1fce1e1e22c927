package io.redpacket.launcher;

import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.PoolStatus;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Table;
import io.redpacket.kafka.TopicReader;
import io.redpacket.simulator.SlowRecords;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Live progress of a wave, read from the output topics as a dashboard would (committed data
 * only): shakes offered and answered per second, grants, what is left of the pool.
 */
final class Progress implements AutoCloseable {
  private final String bootstrap;
  private final String outcomesTopic;
  private final String statusTopic;
  private final PoolDefinition pool;
  private final LongSupplier offered;
  private final PrintStream out;
  private final AtomicLong outcomes = new AtomicLong();
  private final AtomicLong grants = new AtomicLong();
  private final Map<Integer, PoolStatus> status = new HashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  private final long started = System.nanoTime();

  private final SlowRecords waits;

  Progress(String bootstrap, String prefix, PoolDefinition pool, LongSupplier offered, PrintStream out) {
    this(bootstrap, prefix, pool, offered, out, new SlowRecords());
  }

  /** @param waits each shake's wait, its time stamp to its outcome read here (committed), goes there as {@code shakes} */
  Progress(String bootstrap, String prefix, PoolDefinition pool, LongSupplier offered, PrintStream out, SlowRecords waits) {
    this.waits = waits;
    this.bootstrap = bootstrap;
    this.outcomesTopic = Topics.named(prefix, Topics.SHAKE_OUTCOMES);
    this.statusTopic = Topics.named(prefix, Topics.POOL_STATUS);
    this.pool = pool;
    this.offered = offered;
    this.out = out;
    this.thread = new Thread(this::loop, "progress");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  long committedOutcomes() {
    return outcomes.get();
  }

  private void loop() {
    try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(bootstrap, true)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(outcomesTopic, statusTopic)) {
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long lastPrint = System.nanoTime();
      long lastOffered = 0;
      long lastOutcomes = 0;
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.topic().equals(outcomesTopic)) {
            ShakeOutcome o = Codecs.OUTCOME.decode(r.value());
            waits.record("shakes", o.getTimestamp(), System.currentTimeMillis());
            if (o.getOutcome() == OutcomeCode.WON && !o.getDuplicate()) {
              grants.incrementAndGet();
            }
            outcomes.incrementAndGet();
          } else {
            PoolStatus s = Codecs.POOL_STATUS.decode(r.value());
            if (s.getPoolId().equals(pool.getPoolId())) {
              synchronized (status) {
                status.merge(s.getSetId(), s, (a, b) -> b.getGrantedCount() >= a.getGrantedCount() ? b : a);
              }
            }
          }
        }
        long now = System.nanoTime();
        if (now - lastPrint >= 2_000_000_000L) {
          double seconds = (now - lastPrint) / 1e9;
          long off = offered.getAsLong();
          long ans = outcomes.get();
          print((off - lastOffered) / seconds, (ans - lastOutcomes) / seconds);
          lastOffered = off;
          lastOutcomes = ans;
          lastPrint = now;
        }
      }
    } catch (RuntimeException e) {
      if (running) {
        out.println("progress: stopped reading the output topics: " + e.getMessage());
      }
    }
  }

  private void print(double offeredPerSecond, double answeredPerSecond) {
    long grantedCount = 0;
    long grantedCents = 0;
    int exhausted = 0;
    synchronized (status) {
      for (PoolStatus s : status.values()) {
        grantedCount += s.getGrantedCount();
        grantedCents += s.getGrantedCents();
        exhausted += s.getExhausted() ? 1 : 0;
      }
    }
    out.printf("[%4ds] offered %,8.0f/s (%,d sent) | answered %,8.0f/s (%,d) | grants %,d | left %,d packets, %s | sets exhausted %d/%d%n",
        (System.nanoTime() - started) / 1_000_000_000L, offeredPerSecond, offered.getAsLong(), answeredPerSecond,
        outcomes.get(), grants.get(), pool.getTotalCount() - grantedCount,
        Table.money(pool.getTotalCents() - grantedCents), exhausted, pool.getSets());
  }

  /** Waits until {@code expected} outcomes are committed; false if the deadline passes first. */
  boolean awaitOutcomes(long expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (outcomes.get() < expected && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    return outcomes.get() >= expected;
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
