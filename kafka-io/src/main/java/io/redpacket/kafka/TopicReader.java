package io.redpacket.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic as it is now, partition by partition in offset order. */
public final class TopicReader {
  private TopicReader() {}

  /**
   * Every record from the beginning to the end offsets at the time of the call.
   *
   * @param readCommitted read only committed transactional data (what a downstream consumer sees)
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, boolean readCommitted) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    forEach(bootstrap, topic, readCommitted, out::add);
    out.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
        .thenComparingLong(ConsumerRecord::offset));
    return out;
  }

  /** Streams every record up to the current end offsets to {@code sink}, without keeping them. */
  public static long forEach(String bootstrap, String topic, boolean readCommitted,
      Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap, readCommitted)) {
      List<TopicPartition> partitions = new ArrayList<>();
      List<PartitionInfo> infos = partitions(consumer, topic);
      if (infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist on " + bootstrap
            + "; create the topics first (./redpacket stack up does)");
      }
      for (PartitionInfo p : infos) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long count = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (!reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + topic + " did not reach its end offsets within 5 minutes");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
            sink.accept(r);
            count++;
          }
        }
      }
      return count;
    }
  }

  /**
   * Follows a topic (read_committed) from its start as records arrive, handing each to {@code sink},
   * until {@code expected} records were seen or {@code timeout} passed; returns how many were seen.
   */
  public static long forEachUntil(String bootstrap, String topic, long expected, Duration timeout,
      Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap, true)) {
      List<TopicPartition> partitions = partitions(consumer, topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long count = 0;
      long deadline = System.nanoTime() + timeout.toNanos();
      while (count < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
          sink.accept(r);
          count++;
        }
      }
      return count;
    }
  }

  /** Waits, bounded, until {@code topic} holds at least {@code expected} committed records. */
  public static void awaitCommitted(String bootstrap, String topic, long expected, Duration timeout) {
    awaitCommitted(bootstrap, topic, expected, timeout, () -> {});
  }

  /**
   * The same, running {@code guard} before each count: a guard that throws {@link Await.Abort} (the writer
   * is gone) ends the wait at once. Either way a wait that fails says how many records it last counted.
   */
  public static void awaitCommitted(String bootstrap, String topic, long expected, Duration timeout, Runnable guard) {
    long[] seen = {-1};
    try {
      Await.until(expected + " committed records on " + topic, timeout, () -> {
        guard.run();
        return (seen[0] = forEach(bootstrap, topic, true, r -> {})) >= expected;
      });
    } catch (Await.Abort e) {
      throw new Await.Abort(e.getMessage() + "; the last count was " + seen[0]);
    } catch (IllegalStateException e) {
      // How far it got tells a stalled writer (none or a few) from a lost answer (all but some).
      throw new IllegalStateException(e.getMessage() + "; the last count was " + seen[0], e);
    }
  }

  /** A topic just created may take a moment to appear in the broker's metadata: wait for it, bounded. */
  private static List<PartitionInfo> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if ((infos != null && !infos.isEmpty()) || System.nanoTime() > deadline) {
        return infos == null ? List.of() : infos;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
  }

  private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  public static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, boolean readCommitted) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024));
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 * 1024 * 1024));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(p);
  }
}
