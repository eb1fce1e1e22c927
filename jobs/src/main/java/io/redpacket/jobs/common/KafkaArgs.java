package io.redpacket.jobs.common;

import io.redpacket.codec.Topics;
import org.apache.flink.connector.kafka.source.KafkaSource;

/** The Kafka flags every job takes ({@link JobMain#commonFlags}), with the job's name as their defaults. */
public record KafkaArgs(String bootstrap, String topicPrefix, String group, boolean bounded,
    String transactionalIdPrefix) {
  public static KafkaArgs of(JobArgs args, String jobName) {
    return new KafkaArgs(args.required("bootstrap"), args.get("topic-prefix", ""), args.get("group", jobName),
        args.flag("bounded"), args.get("transactional-id-prefix", jobName));
  }

  /** A source of the topic under the prefix, read by the job's group with {@code groupSuffix} appended. */
  public KafkaSource<RawRecord> source(String topic, String groupSuffix) {
    return KafkaIo.source(bootstrap, Topics.named(topicPrefix, topic), group + groupSuffix, bounded);
  }
}
