package io.redpacket.ingest;

import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.kafka.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outcomes as the allocation job writes them, read uncommitted so a waiting request is answered
 * as soon as the job decides, not a checkpoint later. Safe because allocation is deterministic:
 * if the job fails before committing, its replay writes the same outcome. Recent outcomes (and
 * the edge's own answers) are kept, bounded, for {@code GET /v1/shakes/{id}} and client retries.
 */
final class OutcomeBoard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutcomeBoard.class);
  private final Answers<ShakeOutcome> answers = new Answers<>(1_000_000, Duration.ofMinutes(30));
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean assigned;

  OutcomeBoard(String bootstrap, String prefix) {
    String topic = Topics.named(prefix, Topics.SHAKE_OUTCOMES);
    thread = new Thread(() -> loop(bootstrap, topic), "outcome-board");
    thread.setDaemon(true);
    thread.start();
  }

  static String key(String poolId, String userId, String shakeId) {
    return poolId + "|" + userId + "|" + shakeId;
  }

  private void loop(String bootstrap, String topic) {
    boolean first = true;
    while (running) {
      try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(bootstrap, false)) {
        List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
            .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(parts);
        if (first) {
          consumer.seekToEnd(parts); // only outcomes of shakes this instance may still wait for
          parts.forEach(consumer::position);
          first = false;
        }
        assigned = true;
        while (running) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            try {
              publish(Codecs.OUTCOME.decode(r.value()));
            } catch (RuntimeException undecodable) {
              // not ours to judge; the audit would
            }
          }
        }
      } catch (RuntimeException e) {
        LOG.warn("outcome board lost Kafka ({}); retrying", e.toString());
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  boolean ready() {
    return assigned;
  }

  void publish(ShakeOutcome o) {
    answers.publish(key(o.getPoolId(), o.getUserId(), o.getShakeId()), o);
  }

  /** Registers interest before the shake is sent, so an outcome cannot slip by. */
  CompletableFuture<ShakeOutcome> await(String key) {
    return answers.await(key);
  }

  void forget(String key) {
    answers.forget(key);
  }

  ShakeOutcome known(String key) {
    return answers.known(key);
  }

  int waitingCount() {
    return answers.waitingCount();
  }

  @Override
  public void close() {
    running = false;
  }
}
