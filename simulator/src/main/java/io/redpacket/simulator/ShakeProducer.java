package io.redpacket.simulator;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Writes a wave of shakes straight to Kafka (as an upstream system would), at a target rate,
 * bounded by a count and a duration. Keys are {@code poolId/setId}, so one set's shakes lie
 * in one partition, in order.
 */
public final class ShakeProducer {
  /** What was sent; {@code acked} counts records the broker confirmed. */
  public record Result(long sent, long acked, long failed, Duration elapsed) {
    public double perSecond() {
      return acked / Math.max(0.001, elapsed.toNanos() / 1e9);
    }
  }

  private ShakeProducer() {}

  /**
   * @param ratePerSecond target rate; 0 means as fast as the broker takes them
   * @param progress called about once a second with the records acknowledged so far
   */
  public static Result run(String bootstrap, String topic, PoolDefinition pool, WavePlan plan, long count,
      long ratePerSecond, Duration maxDuration, Consumer<Long> progress) {
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<Exception> firstError = new AtomicReference<>();
    long start = System.nanoTime();
    long deadline = start + maxDuration.toNanos();
    long sent = 0;
    long lastProgress = start;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ProducerSettings.reliable(bootstrap))) {
      while (sent < count && System.nanoTime() < deadline) {
        if (ratePerSecond > 0) {
          long due = start + (long) (sent * 1e9 / ratePerSecond);
          long wait = due - System.nanoTime();
          if (wait > 200_000) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
          }
        }
        Shake s = plan.next();
        producer.send(Records.shake(topic, s), (meta, e) -> {
          if (e == null) {
            acked.incrementAndGet();
          } else {
            failed.incrementAndGet();
            firstError.compareAndSet(null, e);
          }
        });
        sent++;
        long now = System.nanoTime();
        if (now - lastProgress >= 1_000_000_000L) {
          progress.accept(acked.get());
          lastProgress = now;
        }
      }
      producer.flush();
    }
    if (firstError.get() != null) {
      System.err.println("simulator: " + failed.get() + " shakes were not accepted by Kafka, first error: "
          + firstError.get().getMessage());
    }
    progress.accept(acked.get());
    return new Result(sent, acked.get(), failed.get(), Duration.ofNanos(System.nanoTime() - start));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
