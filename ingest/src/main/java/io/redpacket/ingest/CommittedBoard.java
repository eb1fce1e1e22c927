package io.redpacket.ingest;

import io.redpacket.kafka.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a job has decided, read on a thread of its own with read_committed: a compacted topic of
 * states read from the start (ready once what was there at start is read), and a topic of
 * answers read from the end (only answers this instance may still wait for). Reading committed
 * matters: the jobs' expiries run on the wall clock, so an uncommitted answer could differ from
 * the one a replay commits.
 */
abstract class CommittedBoard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommittedBoard.class);
  private final String statesTopic;
  private final String answersTopic;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean caughtUp;

  CommittedBoard(String bootstrap, String statesTopic, String answersTopic, String name) {
    this.statesTopic = statesTopic;
    this.answersTopic = answersTopic;
    thread = new Thread(() -> loop(bootstrap), name);
    thread.setDaemon(true);
    thread.start();
  }

  /** A record of the states topic; may throw on bytes that do not decode (skipped). */
  abstract void onState(byte[] value);

  /** A record of the answers topic; may throw on bytes that do not decode (skipped). */
  abstract void onAnswer(byte[] value);

  private void loop(String bootstrap) {
    boolean first = true;
    while (running) {
      try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(bootstrap, true)) {
        List<TopicPartition> states = partitions(consumer, statesTopic);
        List<TopicPartition> answers = partitions(consumer, answersTopic);
        List<TopicPartition> all = new ArrayList<>(states);
        all.addAll(answers);
        consumer.assign(all);
        if (first) {
          consumer.seekToBeginning(states);
          consumer.seekToEnd(answers);
          answers.forEach(consumer::position);
          first = false;
        }
        Map<TopicPartition, Long> ends = consumer.endOffsets(states);
        while (running) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            try {
              if (r.topic().equals(statesTopic)) {
                onState(r.value());
              } else {
                onAnswer(r.value());
              }
            } catch (RuntimeException undecodable) {
              // not ours to judge; the audit would
            }
          }
          if (!caughtUp && ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
            caughtUp = true;
          }
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

  private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    return consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
  }

  /** Whether the states present at start have been read. */
  boolean ready() {
    return caughtUp;
  }

  @Override
  public void close() {
    running = false;
  }
}
