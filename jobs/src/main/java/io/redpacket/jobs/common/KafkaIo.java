package io.redpacket.jobs.common;

import io.redpacket.avro.DeadLetter;
import io.redpacket.codec.AvroCodec;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Kafka sources and sinks of the jobs, configured once. */
public final class KafkaIo {
  /** Below the broker's transaction.max.timeout.ms (15 min by default, 1 h in the local stack). */
  public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

  private KafkaIo() {}

  /** A key extractor that Flink can ship to the task managers. */
  public interface KeyOf<T> extends java.io.Serializable {
    String key(T record);
  }

  /**
   * A source of raw records from the earliest offset (a restore from a checkpoint or savepoint
   * resumes from its own offsets), reading only committed data.
   *
   * @param bounded stop at the offsets that are the latest when the job starts (tests, benchmarks)
   */
  public static KafkaSource<RawRecord> source(String bootstrap, String topic, String groupId, boolean bounded) {
    KafkaSourceBuilder<RawRecord> b = KafkaSource.<RawRecord>builder()
        .setBootstrapServers(bootstrap)
        .setTopics(topic)
        .setGroupId(groupId)
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setDeserializer(new RawRecordDeserializer())
        .setProperty("isolation.level", "read_committed")
        .setProperty("partition.discovery.interval.ms", "60000")
        .setProperty("client.id.prefix", groupId + "-" + topic);
    if (bounded) {
      b.setBounded(OffsetsInitializer.latest());
    }
    return b.build();
  }

  /**
   * A sink writing Avro single-object records.
   *
   * @param transactionalIdPrefix unique to the job and topic; used only for exactly-once
   */
  public static <T extends SpecificRecord> KafkaSink<T> sink(String bootstrap, String topic, AvroCodec<T> codec,
      KeyOf<T> key, DeliveryGuarantee guarantee, String transactionalIdPrefix) {
    // Exactly-once output is read committed: no reader sees a record before the checkpoint commits its
    // transaction (every second), and the commit flushes whatever lingers; so those producers wait longer
    // to fill bigger batches (fewer requests to the broker), the at-least-once ones stay prompt.
    int lingerMs = guarantee == DeliveryGuarantee.EXACTLY_ONCE ? COMMITTED_LINGER_MS : 5;
    return sink(bootstrap, topic, codec, key, guarantee, transactionalIdPrefix, lingerMs);
  }

  /** The linger of a sink read as it is written: long enough to batch a burst, short next to an answer's budget. */
  public static final int PROMPT_LINGER_MS = 2;

  private static <T extends SpecificRecord> KafkaSink<T> sink(String bootstrap, String topic, AvroCodec<T> codec,
      KeyOf<T> key, DeliveryGuarantee guarantee, String transactionalIdPrefix, int lingerMs) {
    Properties producer = producerConfig(guarantee == DeliveryGuarantee.EXACTLY_ONCE, lingerMs);
    var builder = KafkaSink.<T>builder()
        .setBootstrapServers(bootstrap)
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(new AvroRecordSerializer<>(topic, codec, key))
        .setDeliveryGuarantee(guarantee);
    if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
      builder.setTransactionalIdPrefix(transactionalIdPrefix);
    }
    return builder.build();
  }

  /**
   * An exactly-once sink to a pipeline topic (under the topic prefix), with the transactional id
   * prefix {@code <job's prefix>-<topic prefix><topic>}: unique per job, topic and campaign.
   */
  public static <T extends SpecificRecord> KafkaSink<T> exactlyOnce(String bootstrap, String topicPrefix, String topic,
      AvroCodec<T> codec, KeyOf<T> key, String jobTransactionalIdPrefix) {
    return sink(bootstrap, Topics.named(topicPrefix, topic), codec, key, DeliveryGuarantee.EXACTLY_ONCE,
        jobTransactionalIdPrefix + "-" + topicPrefix + topic);
  }

  /** The dead-letter sink every job shares: at-least-once, keyed by the source topic. */
  public static KafkaSink<DeadLetter> deadLetters(String bootstrap, String topicPrefix) {
    return sink(bootstrap, Topics.named(topicPrefix, Topics.DEAD_LETTERS), Codecs.DEAD_LETTER, DeadLetter::getSourceTopic,
        DeliveryGuarantee.AT_LEAST_ONCE, null);
  }

  /**
   * The one exactly-once sink of a task ({@link Routed}): records of any of the job's topics, each to the topic it
   * names, all in one transaction per checkpoint.
   *
   * @param transactionalIdPrefix unique to the job, campaign and task
   * @param lingerMs {@link #PROMPT_LINGER_MS} when a topic of the task is read as it is written, else
   *     {@link #COMMITTED_LINGER_MS}
   */
  public static KafkaSink<Encoded> taskSink(String bootstrap, String transactionalIdPrefix, int lingerMs) {
    return KafkaSink.<Encoded>builder()
        .setBootstrapServers(bootstrap)
        .setKafkaProducerConfig(producerConfig(true, lingerMs))
        .setRecordSerializer(new EncodedSerializer())
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .build();
  }

  /**
   * The linger of a sink whose topics are all read committed: no reader sees a record before the checkpoint commits
   * its transaction (every second), and the commit flushes whatever lingers, so it waits longer to fill bigger
   * batches (fewer requests to the broker).
   */
  public static final int COMMITTED_LINGER_MS = 50;

  private static Properties producerConfig(boolean exactlyOnce, int lingerMs) {
    Properties producer = new Properties();
    producer.setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()));
    producer.setProperty("linger.ms", String.valueOf(lingerMs));
    producer.setProperty("batch.size", exactlyOnce ? "262144" : "131072");
    producer.setProperty("enable.idempotence", "true");
    producer.setProperty("acks", "all");
    return producer;
  }

  /** Writes an {@link Encoded} record to the topic it names. */
  static final class EncodedSerializer implements KafkaRecordSerializationSchema<Encoded> {
    private static final long serialVersionUID = 1L;

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Encoded element, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(element.topic, null, outputStamp(timestamp, System.currentTimeMillis()), element.key,
          element.value);
    }
  }

  /** Year 2286: any larger record time stamp is an artefact (an end-of-input timer), not an event's time. */
  static final long MAX_RECORD_TIMESTAMP = 10_000_000_000_000L;
  /**
   * The broker refuses a record stamped more than {@code log.message.timestamp.after.max.ms} ahead of
   * its clock (one hour by default in Kafka 4): an output is never stamped more than this ahead of
   * the writer's clock. Inputs are checked before they get here ({@code EventTime}); this is the last guard.
   */
  static final long MAX_AHEAD_OF_CLOCK_MS = 15 * 60_000L;

  /** The time stamp an output record is written with: the element's, unless the broker could refuse it. */
  static Long outputStamp(Long timestamp, long clock) {
    if (timestamp == null || timestamp < 0 || timestamp > MAX_RECORD_TIMESTAMP || timestamp > clock + MAX_AHEAD_OF_CLOCK_MS) {
      return null; // the producer stamps it with its clock
    }
    return timestamp;
  }

  static final class AvroRecordSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final AvroCodec<T> codec;
    private final KeyOf<T> key;

    AvroRecordSerializer(String topic, AvroCodec<T> codec, KeyOf<T> key) {
      this.topic = topic;
      this.codec = codec;
      this.key = key;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
      // A timer at the end of a bounded input fires at Long.MAX_VALUE, which the broker refuses as a
      // record time stamp (and the failing sink then took its TaskManager down): let the broker stamp those.
      // So does one far ahead of the clock: the failing sink would restart into the same record forever.
      Long stamp = outputStamp(timestamp, System.currentTimeMillis());
      return new ProducerRecord<>(topic, null, stamp,
          key.key(element).getBytes(StandardCharsets.UTF_8), codec.encode(element));
    }
  }
}
