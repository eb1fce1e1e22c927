package io.redpacket.kafka;

import io.redpacket.avro.Open;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShareRequest;
import io.redpacket.codec.Codecs;
import io.redpacket.core.Keys;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The Kafka record of each input, with the key the jobs partition by: whoever writes an input
 * (the ingest, an upstream system, the simulator) keys it the same way, so one set's shakes, one
 * grant's opens and one share's requests each stay in one partition, in order.
 */
public final class Records {
  private Records() {}

  /** A shake, keyed by {@code poolId/setId}. */
  public static ProducerRecord<byte[], byte[]> shake(String topic, Shake s) {
    return new ProducerRecord<>(topic, null, s.getTimestamp(), utf8(Keys.set(s.getPoolId(), s.getSetId())),
        Codecs.SHAKE.encode(s));
  }

  /** An open, keyed by grant. */
  public static ProducerRecord<byte[], byte[]> open(String topic, Open o) {
    return new ProducerRecord<>(topic, null, o.getTimestamp(), utf8(o.getGrantId()), Codecs.OPEN.encode(o));
  }

  /** A share or a claim, keyed by share. */
  public static ProducerRecord<byte[], byte[]> shareRequest(String topic, ShareRequest r) {
    return new ProducerRecord<>(topic, null, r.getTimestamp(), utf8(r.getShareId()), Codecs.SHARE_REQUEST.encode(r));
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
