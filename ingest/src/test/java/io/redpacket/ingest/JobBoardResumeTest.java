package io.redpacket.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.kafka.Await;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.Records;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.stack.SharedKafka;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The ingest's readers after a lost session with Kafka: the new one goes on where the old one was,
 * so an answer written in between still reaches the request waiting for it.
 */
class JobBoardResumeTest {
  static final String BOOTSTRAP = SharedKafka.bootstrap();

  static ShakeOutcome outcome(String shakeId) {
    return ShakeOutcome.newBuilder().setShakeId(shakeId).setUserId("alice").setPoolId("p").setSetId(0)
        .setOutcome(OutcomeCode.NOT_LUCKY).setTimestamp(1000).build();
  }

  @Test
  void anAnswerWrittenWhileTheReaderReconnectsIsNotSkipped() throws Exception {
    String prefix = "resume-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String topic = Topics.named(prefix, Topics.SHAKE_OUTCOMES);
    TopicAdmin.ensure(BOOTSTRAP, List.of(topic), List.of(), 2);
    try (OutcomeBoard board = new OutcomeBoard(BOOTSTRAP, prefix, new CacheBudget(64L << 20));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ProducerSettings.reliable(BOOTSTRAP))) {
      Await.until("the board to read", Duration.ofSeconds(30), board::ready);
      var first = board.await(OutcomeBoard.key("p", "alice", "s1"));
      producer.send(record(topic, outcome("s1"))).get();
      assertThat(first.get(30, TimeUnit.SECONDS).getShakeId()).isEqualTo("s1");

      board.reconnect(); // the session ends as if Kafka were lost; the next starts a second later
      var second = board.await(OutcomeBoard.key("p", "alice", "s2"));
      producer.send(record(topic, outcome("s2"))).get();
      assertThat(second.get(30, TimeUnit.SECONDS).getShakeId()).as("written between two sessions").isEqualTo("s2");
    }
  }

  static ProducerRecord<byte[], byte[]> record(String topic, ShakeOutcome o) {
    return new ProducerRecord<>(topic, Records.utf8(o.getShakeId()), Codecs.OUTCOME.encode(o));
  }
}
