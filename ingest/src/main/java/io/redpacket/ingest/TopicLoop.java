package io.redpacket.ingest;

import io.redpacket.kafka.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads topics on a daemon thread of its own until closed. A session with Kafka assigns, seeks
 * and polls while {@code running} says so; when Kafka is lost it ends, and a new one starts a
 * second later with a new consumer, which the session must seek to where the last one was (a new
 * consumer of no group starts at the end: what was written in between would be skipped).
 */
public final class TopicLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TopicLoop.class);
  private final Thread thread;
  private volatile boolean running = true;
  private volatile KafkaConsumer<byte[], byte[]> current;
  private volatile int sessionsEnded;

  /** One session with Kafka; it returns when {@code running} turns false. */
  public interface Session {
    void read(KafkaConsumer<byte[], byte[]> consumer, BooleanSupplier running);
  }

  private TopicLoop(String bootstrap, boolean readCommitted, String name, Session session) {
    thread = new Thread(() -> loop(bootstrap, readCommitted, session), name);
    thread.setDaemon(true);
  }

  public static TopicLoop start(String bootstrap, boolean readCommitted, String name, Session session) {
    TopicLoop loop = new TopicLoop(bootstrap, readCommitted, name, session);
    loop.thread.start();
    return loop;
  }

  private void loop(String bootstrap, boolean readCommitted, Session session) {
    while (running) {
      try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(bootstrap, readCommitted)) {
        current = consumer;
        try {
          session.read(consumer, () -> running);
        } finally {
          sessionsEnded++;
        }
      } catch (RuntimeException e) {
        LOG.warn("{} lost Kafka ({}); retrying", thread.getName(), e.toString());
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  public static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    return consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
  }

  /** Hands each record on; one that does not decode is skipped: not ours to judge, the audit would. */
  public static void each(ConsumerRecords<byte[], byte[]> records, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      try {
        handler.accept(r);
      } catch (RuntimeException undecodable) {
        // skipped
      }
    }
  }

  /**
   * Ends the current session as a lost connection would (its poll is woken up) and returns once it has ended; a new
   * one starts a second later.
   */
  void reconnect() {
    int before = sessionsEnded;
    KafkaConsumer<byte[], byte[]> c = current;
    if (c != null) {
      c.wakeup();
      io.redpacket.kafka.Await.until("the reader's session to end", Duration.ofSeconds(30), () -> sessionsEnded > before);
    }
  }

  @Override
  public void close() {
    running = false;
  }
}
