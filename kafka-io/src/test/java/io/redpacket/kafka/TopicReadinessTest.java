package io.redpacket.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.stack.SharedKafka;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A topic is ready for writers when {@link TopicAdmin#ensure} returns. An idempotent producer that writes to a
 * partition its broker has not opened yet gets its first request refused (not leader) while a later request of
 * it, arriving once the partition is open, is appended; the first is then out of sequence on every retry until
 * the delivery timeout drops it (KAFKA-15591, fixed in brokers from 4.5). A test's input writer hung so in CI for
 * 10 minutes.
 */
class TopicReadinessTest {
  final String bootstrap = SharedKafka.bootstrap();

  @Test
  void everyRecordWrittenTheMomentEnsureReturnsIsAcknowledged() {
    Properties settings = ProducerSettings.reliable(bootstrap);
    // Many small requests in flight per partition from the first moment: the shape that loses a batch.
    settings.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    settings.put(ProducerConfig.BATCH_SIZE_CONFIG, "200");
    settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
    ConcurrentLinkedQueue<Exception> failed = new ConcurrentLinkedQueue<>();
    List<String> topics = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings)) {
      for (int round = 0; round < 8; round++) {
        String topic = "ready-" + UUID.randomUUID().toString().substring(0, 8);
        topics.add(topic);
        TopicAdmin.ensure(bootstrap, List.of(topic), List.of(), 8);
        for (int i = 0; i < 2_000; i++) {
          producer.send(new ProducerRecord<>(topic, i % 8, null, new byte[] {(byte) i}, new byte[64]), (m, e) -> {
            if (e != null) {
              failed.add(e);
            }
          });
        }
      }
      producer.flush();
    }
    assertThat(failed).as("records the broker never took").isEmpty();
    for (String topic : topics) {
      assertThat(TopicReader.forEach(bootstrap, topic, false, r -> {})).as(topic).isEqualTo(2_000);
    }
  }
}
