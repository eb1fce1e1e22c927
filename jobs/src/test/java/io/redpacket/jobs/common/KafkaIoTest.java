package io.redpacket.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Open;
import io.redpacket.codec.Codecs;
import org.junit.jupiter.api.Test;

/** What the sinks put on the wire. */
class KafkaIoTest {
  final KafkaIo.AvroRecordSerializer<Open> serializer =
      new KafkaIo.AvroRecordSerializer<>("opens", Codecs.OPEN, Open::getGrantId);
  final Open open = new Open("o1", "p/0/1", "alice", 1_700_000_000_000L);

  @Test
  void recordsCarryTheirKeyValueAndEventTime() {
    var r = serializer.serialize(open, null, 1_700_000_000_000L);
    assertThat(new String(r.key())).isEqualTo("p/0/1");
    assertThat(Codecs.OPEN.decode(r.value())).isEqualTo(open);
    assertThat(r.timestamp()).isEqualTo(1_700_000_000_000L);
  }

  @Test
  void anEndOfInputTimerTimestampIsLeftToTheBroker() {
    assertThat(serializer.serialize(open, null, Long.MAX_VALUE).timestamp()).isNull();
    assertThat(serializer.serialize(open, null, -1L).timestamp()).isNull();
    assertThat(serializer.serialize(open, null, null).timestamp()).isNull();
  }

  @Test
  void noOutputIsStampedFurtherAheadOfTheClockThanTheBrokerAccepts() {
    long now = System.currentTimeMillis();
    assertThat(serializer.serialize(open, null, now + 2 * 3_600_000L).timestamp()).isNull();
    assertThat(KafkaIo.outputStamp(now + 16 * 60_000L, now)).isNull();
    assertThat(KafkaIo.outputStamp(now + 60_000L, now)).isEqualTo(now + 60_000L);
  }

  @Test
  void aTasksSinkWritesEachRecordToTheTopicItNamesWithTheSameGuardOnItsStamp() {
    var encoded = new KafkaIo.EncodedSerializer();
    Encoded e = Route.of("demo.opens", Codecs.OPEN, Open::getGrantId).encode(open);
    var r = encoded.serialize(e, null, 1_700_000_000_000L);
    assertThat(r.topic()).isEqualTo("demo.opens");
    assertThat(new String(r.key())).isEqualTo("p/0/1");
    assertThat(Codecs.OPEN.decode(r.value())).isEqualTo(open);
    assertThat(r.timestamp()).isEqualTo(1_700_000_000_000L);
    assertThat(encoded.serialize(e, null, Long.MAX_VALUE).timestamp()).isNull();
    assertThat(encoded.serialize(e, null, Long.MIN_VALUE).timestamp()).isNull();
    assertThat(encoded.serialize(e, null, System.currentTimeMillis() + 2 * 3_600_000L).timestamp()).isNull();
  }
}
