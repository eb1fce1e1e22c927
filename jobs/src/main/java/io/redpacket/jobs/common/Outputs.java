package io.redpacket.jobs.common;

import io.redpacket.avro.DeadLetter;
import io.redpacket.codec.Topics;
import org.apache.flink.api.connector.sink2.Sink;

/**
 * Where a job writes, passed into its topology: one exactly-once sink per task that writes ({@link Routed}), with
 * the transactional id prefix {@code <job's prefix>-<topic prefix><task>} (unique per job, campaign and task), and
 * the at-least-once sink of the dead letters of the job's inputs.
 */
public record Outputs(String bootstrap, String topicPrefix, String transactionalIdPrefix) {
  /** A pipeline topic's full name, under the campaign's prefix. */
  public String topic(String name) {
    return Topics.named(topicPrefix, name);
  }

  /** The sink of a task whose topics are all read committed. */
  public Sink<Encoded> sink(String task) {
    return KafkaIo.taskSink(bootstrap, transactionalIdPrefix + "-" + topicPrefix + task, KafkaIo.COMMITTED_LINGER_MS);
  }

  /**
   * The sink of a task with a topic someone waits on reading it uncommitted (the ingest's shake outcomes): it must
   * not linger for bigger batches, since every millisecond of linger is a millisecond of a user's wait.
   */
  public Sink<Encoded> promptSink(String task) {
    return KafkaIo.taskSink(bootstrap, transactionalIdPrefix + "-" + topicPrefix + task, KafkaIo.PROMPT_LINGER_MS);
  }

  /** The dead letters of the job's inputs, from the decoders: at-least-once, keyed by the source topic. */
  public Sink<DeadLetter> deadLetters() {
    return KafkaIo.deadLetters(bootstrap, topicPrefix);
  }
}
