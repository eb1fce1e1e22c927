package io.redpacket.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.OpenResult;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.stack.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What settlement has decided, for the open and grant endpoints: the latest state of each grant
 * (from the compacted {@code grant-states}, read from the start, bounded in memory) and the
 * answers to opens (from {@code open-results}, from the end: only opens this instance may still
 * wait for). Both are read committed: settlement's expiry runs on the wall clock, so an
 * uncommitted answer could differ from the one a replay commits.
 */
final class SettlementBoard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SettlementBoard.class);
  private final Cache<String, GrantState> grants = Caffeine.newBuilder().maximumSize(5_000_000).build();
  private final Answers<OpenResult> results = new Answers<>(500_000, Duration.ofMinutes(30));
  private final String statesTopic;
  private final String resultsTopic;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean caughtUp;

  SettlementBoard(String bootstrap, String prefix) {
    statesTopic = Topics.named(prefix, Topics.GRANT_STATES);
    resultsTopic = Topics.named(prefix, Topics.OPEN_RESULTS);
    thread = new Thread(() -> loop(bootstrap), "settlement-board");
    thread.setDaemon(true);
    thread.start();
  }

  static String openKey(String userId, String openId) {
    return userId + "|" + openId;
  }

  private void loop(String bootstrap) {
    boolean first = true;
    while (running) {
      try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(bootstrap, true)) {
        List<TopicPartition> states = partitions(consumer, statesTopic);
        List<TopicPartition> results = partitions(consumer, resultsTopic);
        List<TopicPartition> all = new ArrayList<>(states);
        all.addAll(results);
        consumer.assign(all);
        if (first) {
          consumer.seekToBeginning(states);
          consumer.seekToEnd(results);
          results.forEach(consumer::position);
          first = false;
        }
        Map<TopicPartition, Long> ends = consumer.endOffsets(states);
        while (running) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            try {
              if (r.topic().equals(statesTopic)) {
                GrantState s = Codecs.GRANT_STATE.decode(r.value());
                grants.put(s.getGrantId(), s);
              } else {
                publish(Codecs.OPEN_RESULT.decode(r.value()));
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
        LOG.warn("settlement board lost Kafka ({}); retrying", e.toString());
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

  /** Whether the grant states present at start have been read. */
  boolean ready() {
    return caughtUp;
  }

  void publish(OpenResult r) {
    results.publish(openKey(r.getUserId(), r.getOpenId()), r);
  }

  /** Registers interest before the open is sent, so its answer cannot slip by. */
  CompletableFuture<OpenResult> await(String key) {
    return results.await(key);
  }

  void forget(String key) {
    results.forget(key);
  }

  OpenResult knownResult(String key) {
    return results.known(key);
  }

  GrantState grant(String grantId) {
    return grants.getIfPresent(grantId);
  }

  @Override
  public void close() {
    running = false;
  }
}
