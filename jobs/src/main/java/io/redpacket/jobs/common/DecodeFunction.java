package io.redpacket.jobs.common;

import io.redpacket.avro.DeadLetter;
import io.redpacket.codec.AvroCodec;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes Avro single-object records; a record that does not decode, or that the validator
 * refuses, goes to the dead-letter side output with the reason, and the job carries on.
 */
public final class DecodeFunction<T extends SpecificRecord> extends ProcessFunction<RawRecord, T> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private final String job;
  private final AvroCodec<T> codec;
  private final SerializableValidator<T> validator;
  private transient Counter deadLetters;

  /** Returns the reasons a decoded record is refused; empty when it is fine. */
  public interface SerializableValidator<T> extends Function<T, List<String>>, java.io.Serializable {}

  public DecodeFunction(String job, AvroCodec<T> codec, SerializableValidator<T> validator) {
    this.job = job;
    this.codec = codec;
    this.validator = validator;
  }

  @Override
  public void open(OpenContext openContext) {
    deadLetters = getRuntimeContext().getMetricGroup().addGroup("redpacket").counter("dead_letters_total");
  }

  @Override
  public void processElement(RawRecord in, Context ctx, Collector<T> out) {
    T record;
    try {
      record = codec.decode(in.value);
    } catch (AvroCodec.InvalidRecordException e) {
      deadLetter(in, e.getMessage(), ctx);
      return;
    }
    List<String> errors = validator.apply(record);
    if (!errors.isEmpty()) {
      deadLetter(in, "invalid " + codec.type().getSimpleName() + ": " + String.join("; ", errors), ctx);
      return;
    }
    out.collect(record);
  }

  private void deadLetter(RawRecord in, String error, Context ctx) {
    deadLetters.inc();
    ctx.output(DEAD_LETTERS, DeadLetter.newBuilder()
        .setJob(job).setSourceTopic(in.topic).setPartition(in.partition).setOffset(in.offset)
        .setKey(in.key == null ? null : ByteBuffer.wrap(in.key))
        .setValue(in.value == null ? null : ByteBuffer.wrap(in.value))
        .setError(error).setTimestamp(in.timestamp).build());
  }
}
