package io.redpacket.stack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A test's writer of input records that loses none silently: every send is kept, and {@link #close}
 * (or {@link #flush}) waits for each acknowledgement and fails with the first error. A plain producer
 * whose futures are dropped gives up on a batch after its delivery timeout (2 minutes by default) and
 * says nothing; on a starved machine a test then ran on part of its input and waited for output that
 * could never come. Batches here are retried for 10 minutes instead, longer than any test waits.
 */
public final class CheckedProducer implements AutoCloseable {
  static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(10);
  private final KafkaProducer<byte[], byte[]> producer;
  private final List<Future<RecordMetadata>> sent = new ArrayList<>();

  /** @param settings the producer's settings (the pipeline's own writers'), its delivery timeout raised */
  public CheckedProducer(Properties settings) {
    Properties p = new Properties();
    p.putAll(settings);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(DELIVERY_TIMEOUT.toMillis()));
    this.producer = new KafkaProducer<>(p);
  }

  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
    Future<RecordMetadata> f = producer.send(record);
    sent.add(f);
    return f;
  }

  public int partitions(String topic) {
    return producer.partitionsFor(topic).size();
  }

  /** Waits until every record sent so far is acknowledged; fails with the first that was not. */
  public void flush() {
    producer.flush();
    try {
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the test's input to be written", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the broker did not take the test's input: " + e.getCause(), e.getCause());
    } finally {
      sent.clear();
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
