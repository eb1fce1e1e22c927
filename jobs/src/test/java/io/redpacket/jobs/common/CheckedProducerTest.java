package io.redpacket.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.redpacket.stack.CheckedProducer;
import io.redpacket.stack.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

/** The tests' input writer: what it was given is on the topic when it closes, or it fails saying why. */
class CheckedProducerTest {
  final String bootstrap = SharedKafka.bootstrap();
  final String topic = "checked-" + UUID.randomUUID().toString().substring(0, 8);

  @Test
  void aRecordTheBrokerDidNotTakeFailsTheWriterInsteadOfVanishing() {
    TopicAdmin.ensure(bootstrap, List.of(topic), List.of(), 1);
    CheckedProducer p = new CheckedProducer(ProducerSettings.reliable(bootstrap));
    p.send(new ProducerRecord<>(topic, "a".getBytes(StandardCharsets.UTF_8), new byte[] {1}));
    // Larger than a request may be: the producer fails the record's future and goes on (a plain producer's
    // caller that drops its futures never hears of it).
    p.send(new ProducerRecord<>(topic, "b".getBytes(StandardCharsets.UTF_8), new byte[2 * 1024 * 1024]));
    p.send(new ProducerRecord<>(topic, "c".getBytes(StandardCharsets.UTF_8), new byte[] {3}));
    assertThatThrownBy(p::close).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("did not take the test's input").hasCauseInstanceOf(RecordTooLargeException.class);
    assertThat(TopicReader.forEach(bootstrap, topic, false, r -> {})).as("the records it did take").isEqualTo(2);
  }

  @Test
  void everyRecordIsAcknowledgedWhenItCloses() {
    TopicAdmin.ensure(bootstrap, List.of(topic), List.of(), 4);
    try (CheckedProducer p = new CheckedProducer(ProducerSettings.reliable(bootstrap))) {
      for (int i = 0; i < 5_000; i++) {
        p.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8), new byte[] {(byte) i}));
      }
    }
    // Read at once, without a wait: closed means written.
    assertThat(TopicReader.forEach(bootstrap, topic, false, r -> {})).isEqualTo(5_000);
  }
}
