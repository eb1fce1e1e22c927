package io.redpacket.stack;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A test's writer of input records that loses none silently: every send's outcome is watched, and
 * {@link #close} (or {@link #flush}) waits for each acknowledgement and fails with the first error. A plain producer
 * whose futures are dropped gives up on a batch after its delivery timeout (2 minutes by default) and
 * says nothing; on a starved machine a test then ran on part of its input and waited for output that
 * could never come. Batches here are retried for 10 minutes instead, longer than any test waits.
 */
public final class CheckedProducer implements AutoCloseable {
  static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(10);
  private final KafkaProducer<byte[], byte[]> producer;
  /** The first send the broker did not take; only failures are kept, so a long-running writer holds nothing. */
  private final AtomicReference<Exception> failed = new AtomicReference<>();

  /** @param settings the producer's settings (the pipeline's own writers'), its delivery timeout raised */
  public CheckedProducer(Properties settings) {
    Properties p = new Properties();
    p.putAll(settings);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(DELIVERY_TIMEOUT.toMillis()));
    this.producer = new KafkaProducer<>(p);
  }

  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
    return producer.send(record, (meta, e) -> {
      if (e != null) {
        failed.compareAndSet(null, e);
      }
    });
  }

  public int partitions(String topic) {
    return producer.partitionsFor(topic).size();
  }

  /** Waits until every record sent so far is acknowledged; fails with the first that was not. */
  public void flush() {
    producer.flush(); // returns once every callback of the records sent so far has run
    Exception e = failed.getAndSet(null);
    if (e != null) {
      throw new IllegalStateException("the broker did not take the test's input: " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      flush();
    } finally {
      producer.close();
    }
  }
}
