package io.redpacket.jobs.common;

/**
 * A record encoded for its Kafka topic: what a task's one sink writes, whatever the topic. A Flink POJO (public
 * fields, no-argument constructor), so Flink serializes it without Kryo should it ever cross a network edge; in the
 * jobs it never does, it goes from the operator that makes it to the sink chained behind.
 */
public final class Encoded {
  /** The topic's full name (with the campaign's prefix). */
  public String topic;
  /** The record's key, UTF-8. */
  public byte[] key;
  /** The Avro single-object encoded value. */
  public byte[] value;

  public Encoded() {}

  public Encoded(String topic, byte[] key, byte[] value) {
    this.topic = topic;
    this.key = key;
    this.value = value;
  }
}
