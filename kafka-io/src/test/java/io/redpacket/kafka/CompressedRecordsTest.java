package io.redpacket.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.stack.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Any producer may compress what it writes to the pipeline's topics, with any codec Kafka knows. The brokers of the
 * local stack and of `cluster up` must take it: they run from the Maven jars, and Kafka's codecs other than gzip
 * (zstd-jni, lz4-java, snappy-java) are runtime dependencies of its client that the brokers' classpath once left out,
 * so every zstd, lz4 or snappy batch was refused with an "unknown server error".
 */
class CompressedRecordsTest {
  final String bootstrap = SharedKafka.bootstrap();

  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4", "snappy", "gzip"})
  void aBatchCompressedWithAnyCodecIsTakenAndReadBack(String codec) throws Exception {
    String topic = "compressed-" + codec + "-" + UUID.randomUUID().toString().substring(0, 8);
    TopicAdmin.ensure(bootstrap, List.of(topic), List.of(), 2);
    Properties settings = ProducerSettings.reliable(bootstrap);
    settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
    settings.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
    settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings)) {
      for (int i = 0; i < 50; i++) {
        // get(): a refused batch fails the test with the broker's answer.
        producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
            ("value " + i + " ".repeat(100)).getBytes(StandardCharsets.UTF_8))).get();
      }
    }
    List<String> read = new ArrayList<>();
    TopicReader.forEach(bootstrap, topic, false, r -> read.add(new String(r.value(), StandardCharsets.UTF_8).trim()));
    assertThat(read).hasSize(50).contains("value 0", "value 49");
  }
}
