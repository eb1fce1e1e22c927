package io.redpacket.kafka;

import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The settings of every non-transactional writer of the pipeline's inputs. */
public final class ProducerSettings {
  private ProducerSettings() {}

  /**
   * Idempotent, acknowledged by all in-sync replicas, batched for throughput: a record the broker
   * acknowledged is neither lost nor written twice by a retry.
   */
  public static Properties reliable(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /** Writes one record and waits for the broker's acknowledgement. */
  public static void sendAndWait(String bootstrap, ProducerRecord<byte[], byte[]> record) {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(reliable(bootstrap))) {
      producer.send(record).get();
    } catch (Exception e) {
      throw new IllegalStateException("Kafka did not accept the record for " + record.topic() + ": " + e.getMessage(), e);
    }
  }
}
