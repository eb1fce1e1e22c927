package io.redpacket.jobs.common;

/**
 * A Kafka record as bytes, exactly as read. Decoding happens in the next (chained) operator,
 * so that a record that does not decode becomes a dead letter instead of failing the source.
 */
public class RawRecord {
  public String topic;
  public int partition;
  public long offset;
  public long timestamp;
  public byte[] key;
  public byte[] value;

  public RawRecord() {}

  public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
  }
}
