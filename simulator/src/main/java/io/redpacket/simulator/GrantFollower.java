package io.redpacket.simulator;

import io.redpacket.avro.Grant;
import io.redpacket.codec.Codecs;
import io.redpacket.kafka.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Follows the committed grants as they appear, as the winners' phones learn of them, and hands
 * each to {@code onGrant} (on this follower's own thread).
 */
public final class GrantFollower implements AutoCloseable {
  private final Thread thread;
  private final AtomicLong seen = new AtomicLong();
  private volatile boolean running = true;

  public GrantFollower(String bootstrap, String topic, Consumer<Grant> onGrant) {
    thread = new Thread(() -> {
      try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(bootstrap, true)) {
        List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
            .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        while (running) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            onGrant.accept(Codecs.GRANT.decode(r.value()));
            seen.incrementAndGet();
          }
        }
      }
    }, "grant-follower");
    thread.setDaemon(true);
    thread.start();
  }

  public long seen() {
    return seen.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
  }
}
