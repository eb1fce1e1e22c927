package io.redpacket.jobs.common;

import io.redpacket.avro.DeadLetter;
import io.redpacket.codec.AvroCodec;
import io.redpacket.core.EventTime;
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
  private final EventTimeField<T> eventTime;
  private transient Counter deadLetters;

  /** Returns the reasons a decoded record is refused; empty when it is fine. */
  public interface SerializableValidator<T> extends Function<T, List<String>>, java.io.Serializable {}

  /** The record's own time stamp (its event's time), checked by {@link EventTime#check} against the record's Kafka time stamp. */
  public interface EventTimeField<T> extends java.io.Serializable {
    long of(T record);

    /** Whether the record may be written long after its event (then only a time stamp ahead is refused). */
    default boolean mayBeWrittenLate() {
      return false;
    }

    /** A field of a record that may be written long after its event. */
    static <T> EventTimeField<T> writtenLate(EventTimeField<T> field) {
      return new EventTimeField<>() {
        private static final long serialVersionUID = 1L;

        @Override
        public long of(T record) {
          return field.of(record);
        }

        @Override
        public boolean mayBeWrittenLate() {
          return true;
        }
      };
    }
  }

  public DecodeFunction(String job, AvroCodec<T> codec, SerializableValidator<T> validator) {
    this(job, codec, validator, null);
  }

  /** @param eventTime the record's own time stamp, or null for an input whose records carry none that is used */
  public DecodeFunction(String job, AvroCodec<T> codec, SerializableValidator<T> validator, EventTimeField<T> eventTime) {
    this.job = job;
    this.codec = codec;
    this.validator = validator;
    this.eventTime = eventTime;
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
    if (eventTime != null) {
      // Before the record can reach a timer, a decision or an output's time stamp.
      String late = eventTime.mayBeWrittenLate() ? EventTime.checkNotAhead("timestamp", eventTime.of(record), in.timestamp)
          : EventTime.check("timestamp", eventTime.of(record), in.timestamp);
      if (late != null) {
        deadLetter(in, "invalid " + codec.type().getSimpleName() + ": " + late, ctx);
        return;
      }
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
