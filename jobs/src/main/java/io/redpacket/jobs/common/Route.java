package io.redpacket.jobs.common;

import io.redpacket.codec.AvroCodec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;

/**
 * Where one output of an operator goes: its topic, its encoding, its key and whether it is a latest-value topic
 * (one current value per key, read committed), of which only each key's last value per checkpoint is written.
 */
public final class Route implements Serializable {
  private static final long serialVersionUID = 1L;
  final String topic;
  private final AvroCodec<?> codec;
  private final KafkaIo.KeyOf<?> key;
  final boolean latest;

  private Route(String topic, AvroCodec<?> codec, KafkaIo.KeyOf<?> key, boolean latest) {
    this.topic = topic;
    this.codec = codec;
    this.key = key;
    this.latest = latest;
  }

  /** Every value, as it is made. */
  public static <T extends SpecificRecord> Route of(String topic, AvroCodec<T> codec, KafkaIo.KeyOf<T> key) {
    return new Route(topic, codec, key, false);
  }

  /** Each key's last value of a checkpoint, just before its barrier ({@link RoutingOutput}). */
  public static <T extends SpecificRecord> Route latest(String topic, AvroCodec<T> codec, KafkaIo.KeyOf<T> key) {
    return new Route(topic, codec, key, true);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  String key(Object value) {
    return ((KafkaIo.KeyOf) key).key(value);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  Encoded encode(Object value) {
    return encode(value, key(value));
  }

  /** The same with its key already taken (a latest value is keyed when it arrives and encoded at the checkpoint). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  Encoded encode(Object value, String key) {
    return new Encoded(topic, key.getBytes(StandardCharsets.UTF_8), ((AvroCodec) codec).encode((SpecificRecord) value));
  }
}
