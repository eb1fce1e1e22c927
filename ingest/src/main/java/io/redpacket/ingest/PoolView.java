package io.redpacket.ingest;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.PoolStatus;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Keys;
import io.redpacket.core.PoolRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pools and what is left of each set, read from the compacted {@code pools} and
 * {@code pool-status} topics, so the edge can answer unknown, closed and exhausted pools itself.
 * Status is read uncommitted: it is only a hint for fast rejects, and a later value overwrites it.
 */
final class PoolView implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PoolView.class);
  private final Map<String, PoolDefinition> pools = new ConcurrentHashMap<>();
  private final Map<String, Boolean> exhausted = new ConcurrentHashMap<>();
  private final TopicLoop loop;
  private volatile boolean ready;
  private volatile long lastPoll;

  PoolView(String bootstrap, String prefix) {
    String poolsTopic = Topics.named(prefix, Topics.POOLS);
    String statusTopic = Topics.named(prefix, Topics.POOL_STATUS);
    loop = TopicLoop.start(bootstrap, false, "pool-view", (consumer, running) -> read(consumer, running, poolsTopic,
        statusTopic));
  }

  private void read(KafkaConsumer<byte[], byte[]> consumer, BooleanSupplier running, String poolsTopic,
      String statusTopic) {
    List<TopicPartition> parts = new ArrayList<>(TopicLoop.partitions(consumer, poolsTopic));
    parts.addAll(TopicLoop.partitions(consumer, statusTopic));
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(10));
    while (running.getAsBoolean()) {
      // The jobs dead-letter records that do not decode; the edge simply does not use them.
      TopicLoop.each(consumer.poll(Duration.ofMillis(200)), r -> apply(r, poolsTopic));
      lastPoll = System.currentTimeMillis();
      if (!ready && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
        ready = true;
        LOG.info("pool view loaded: {} pools", pools.size());
      }
    }
  }

  private void apply(ConsumerRecord<byte[], byte[]> r, String poolsTopic) {
    if (r.topic().equals(poolsTopic)) {
      PoolDefinition p = Codecs.POOL.decode(r.value());
      if (PoolRules.validate(p).isEmpty()) {
        pools.putIfAbsent(p.getPoolId(), p);
      }
    } else {
      PoolStatus s = Codecs.POOL_STATUS.decode(r.value());
      exhausted.put(Keys.set(s.getPoolId(), s.getSetId()), s.getExhausted());
    }
  }

  PoolDefinition pool(String poolId) {
    return pools.get(poolId);
  }

  boolean exhausted(String poolId, int setId) {
    return exhausted.getOrDefault(Keys.set(poolId, setId), Boolean.FALSE);
  }

  /** Loaded once, and still reading (a poll in the last 10 s). */
  boolean ready() {
    return ready && System.currentTimeMillis() - lastPoll < 10_000;
  }

  @Override
  public void close() {
    loop.close();
  }
}
