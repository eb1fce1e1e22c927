package io.redpacket.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.stack.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class TopicReaderTest {
  final String bootstrap = SharedKafka.bootstrap();

  @Test
  void aWaitForCommittedRecordsEndsAtOnceWhenItsGuardGivesUpAndSaysHowFarItGot() throws Exception {
    String topic = "reader-" + UUID.randomUUID();
    TopicAdmin.ensure(bootstrap, List.of(topic), List.of(), 2);
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(ProducerSettings.reliable(bootstrap))) {
      for (int i = 0; i < 3; i++) {
        p.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8), new byte[] {1})).get();
      }
    }
    TopicReader.awaitCommitted(bootstrap, topic, 3, Duration.ofSeconds(30));

    AtomicInteger checks = new AtomicInteger();
    long t0 = System.nanoTime();
    // The writer "ends" after the first count: the wait must stop then, not at its 5 minutes.
    assertThatThrownBy(() -> TopicReader.awaitCommitted(bootstrap, topic, 5, Duration.ofMinutes(5), () -> {
      if (checks.incrementAndGet() > 1) {
        throw new Await.Abort("the writer ended");
      }
    })).isInstanceOf(Await.Abort.class).hasMessageContaining("the writer ended")
        .hasMessageContaining("the last count was 3");
    assertThat((System.nanoTime() - t0) / 1e9).as("seconds until it gave up").isLessThan(60);

    assertThatThrownBy(() -> TopicReader.awaitCommitted(bootstrap, topic, 5, Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("the last count was 3");
  }
}
