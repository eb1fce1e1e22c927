package io.redpacket.jobs.common;

import io.redpacket.avro.DeadLetter;
import io.redpacket.codec.AvroCodec;
import io.redpacket.jobs.allocation.AllocationJob;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The ends of a job's topology, named one way in every job: an input {@code x} is read by the
 * operator {@code x-source} and decoded by {@code decode-x}, an output {@code y} is written by
 * {@code y-sink}. Names are also the uids, which savepoints restore by: they must never change (one did, on
 * purpose: {@code settle-2}, see {@code SettlementJob.SETTLE_UID}).
 */
public final class Topology {
  private final StreamExecutionEnvironment env;
  private final String job;
  private final List<SingleOutputStreamOperator<?>> inputs = new ArrayList<>();

  /** @param job the job's short name, written into its dead letters */
  public Topology(StreamExecutionEnvironment env, String job) {
    this.env = env;
    this.job = job;
    env.setMaxParallelism(AllocationJob.MAX_PARALLELISM);
    // Records are never held by reference across calls (state is serialized), so reuse is safe and saves copies.
    env.getConfig().enableObjectReuse();
    // A guard: a type Flink cannot serialize itself would fall back to Kryo, silently and slowly; fail at build instead.
    org.apache.flink.configuration.Configuration guard = new org.apache.flink.configuration.Configuration();
    guard.set(org.apache.flink.configuration.PipelineOptions.GENERIC_TYPES, false);
    // Operator state (allocate's filter of known users, 512 KiB a subtask and read by every subtask) is
    // restored through a stream without bulk reads: uncompressed, a read(2) call per byte, 1.5 s per MiB on
    // an idle core and half a minute while a whole job restarts. Snappy's reader fills a buffer per block.
    // The flag is written into each snapshot, so snapshots taken without it are still restored.
    guard.set(org.apache.flink.configuration.ExecutionOptions.SNAPSHOT_COMPRESSION, true);
    env.configure(guard);
  }

  /**
   * How long a record someone is waiting on may sit in a task's output buffer: 5 ms, for the edges a
   * shake crosses on its way to its outcome, which the ingest reads uncommitted while a user waits
   * ({@link #awaited}). Every other edge keeps Flink's default (100 ms, set as
   * {@code execution.buffer-timeout.interval} where the jobs run): their records count only once a
   * checkpoint commits them, and an aligned checkpoint's barrier flushes the buffers it passes anyway
   * (with unaligned checkpoints, buffered records would go into the next checkpoint). Flink flushes each
   * network output of a task from a thread of its own, woken every buffer timeout: at 5 ms on every
   * edge, the 55 flushers of the demo's jobs woke 10,000 times a second and kept the ingest's event
   * loops waiting for a core (2 of 20 seconds in the run queue for every 0.15 s they ran).
   */
  public static final long AWAITED_BUFFER_TIMEOUT_MS = 5;

  /**
   * Marks {@code stream}'s records as awaited: its outputs are flushed every {@link #AWAITED_BUFFER_TIMEOUT_MS}
   * (all of them, side outputs such as its dead letters too).
   */
  public static <T> SingleOutputStreamOperator<T> awaited(SingleOutputStreamOperator<T> stream) {
    return stream.setBufferTimeout(AWAITED_BUFFER_TIMEOUT_MS);
  }

  /** The input's records that decode and pass the validator; the others become dead letters. */
  public <T extends SpecificRecord> SingleOutputStreamOperator<T> decoded(Source<RawRecord, ?, ?> source, String input,
      AvroCodec<T> codec, DecodeFunction.SerializableValidator<T> validator) {
    return decoded(source, input, codec, validator, WatermarkStrategy.noWatermarks());
  }

  /** The same with the given watermarks (e.g. {@link #noEventTime()} for an input joined with one that drives event time). */
  public <T extends SpecificRecord> SingleOutputStreamOperator<T> decoded(Source<RawRecord, ?, ?> source, String input,
      AvroCodec<T> codec, DecodeFunction.SerializableValidator<T> validator, WatermarkStrategy<RawRecord> watermarks) {
    return decode(env.fromSource(source, watermarks, input + "-source").uid(input + "-source"), input, codec, validator);
  }

  /**
   * An input whose records carry their event's time: each record's own time stamp is checked
   * against its Kafka time stamp ({@link io.redpacket.core.EventTime}) before anything uses it.
   * With {@code watermarks}, event time and watermarks are made at the source from the Kafka time
   * stamps, per Kafka partition (a quiet partition cannot hold back a busy one for longer than the
   * strategy's idleness); the record's own field never moves a watermark.
   */
  public <T extends SpecificRecord> SingleOutputStreamOperator<T> decoded(Source<RawRecord, ?, ?> source, String input,
      AvroCodec<T> codec, DecodeFunction.SerializableValidator<T> validator, DecodeFunction.EventTimeField<T> eventTime,
      WatermarkStrategy<RawRecord> watermarks) {
    SingleOutputStreamOperator<T> decoded = env.fromSource(source, watermarks, input + "-source").uid(input + "-source")
        .process(new DecodeFunction<>(job, codec, validator, eventTime), TypeInformation.of(codec.type()))
        .name("decode-" + input).uid("decode-" + input);
    inputs.add(decoded);
    return decoded;
  }

  /** The same without watermarks: the records keep their Kafka time stamps as Flink's, for their outputs. */
  public <T extends SpecificRecord> SingleOutputStreamOperator<T> decoded(Source<RawRecord, ?, ?> source, String input,
      AvroCodec<T> codec, DecodeFunction.SerializableValidator<T> validator, DecodeFunction.EventTimeField<T> eventTime) {
    return decoded(source, input, codec, validator, eventTime, WatermarkStrategy.noWatermarks());
  }

  /**
   * Watermarks from the records' Kafka time stamps, made per Kafka partition by the source, allowing
   * {@code outOfOrder}; a partition quiet for {@code idleAfter} stops holding the others back.
   */
  public static WatermarkStrategy<RawRecord> kafkaTime(java.time.Duration outOfOrder, java.time.Duration idleAfter) {
    return WatermarkStrategy.<RawRecord>forBoundedOutOfOrderness(outOfOrder)
        .withTimestampAssigner((r, previous) -> Math.max(r.timestamp, 0))
        .withIdleness(idleAfter);
  }

  /** How far out of order the requests of one partition (opens, shares, claims) may be written. */
  public static final java.time.Duration REQUESTS_OUT_OF_ORDER = java.time.Duration.ofSeconds(5);
  /** A partition of requests this long without a record is quiet: its watermark follows the clock. */
  public static final java.time.Duration REQUESTS_IDLE_AFTER = java.time.Duration.ofSeconds(10);
  /** How far behind the clock a quiet partition's watermark stays (a record written now is stamped about now). */
  public static final java.time.Duration REQUESTS_IDLE_LAG = java.time.Duration.ofSeconds(10);

  /**
   * Event time of the users' requests (opens, shares, claims): their records' Kafka time stamps per
   * Kafka partition, {@link #REQUESTS_OUT_OF_ORDER} allowed, and a quiet partition's watermark going
   * on with the clock ({@link KafkaTimeWatermarks}), so that refunds decided by event time also happen
   * when nobody opens or claims any more, and never only because the job lags or restores.
   */
  public static WatermarkStrategy<RawRecord> requestTime() {
    return new RequestTime().withTimestampAssigner((r, previous) -> Math.max(r.timestamp, 0));
  }

  /**
   * {@link #requestTime()}'s generators. Each source subtask holds its own copy of the strategy, so the
   * generators it makes for one reader (one per partition, one for the main output) share a
   * {@link KafkaTimeWatermarks.Reader}.
   */
  static final class RequestTime implements WatermarkStrategy<RawRecord> {
    private static final long serialVersionUID = 1L;
    private transient KafkaTimeWatermarks.Reader reader;

    @Override
    public WatermarkGenerator<RawRecord> createWatermarkGenerator(WatermarkGeneratorSupplier.Context ctx) {
      java.util.function.LongSupplier active = ctx.getInputActivityClock()::relativeTimeMillis;
      if (reader == null) {
        reader = new KafkaTimeWatermarks.Reader(active);
      }
      return new KafkaTimeWatermarks(REQUESTS_OUT_OF_ORDER, REQUESTS_IDLE_AFTER, REQUESTS_IDLE_LAG,
          System::currentTimeMillis, active, reader);
    }
  }

  /**
   * An input that carries no event time of its own but is joined with one that does (grants with
   * opens, grant states with share requests, pools with shakes): it declares itself idle, so only the
   * other input drives the operator's event-time clock. Its records keep their Kafka time stamps.
   */
  public static WatermarkStrategy<RawRecord> noEventTime() {
    return WatermarkStrategy.forGenerator(ctx -> new WatermarkGenerator<RawRecord>() {
      @Override
      public void onEvent(RawRecord event, long eventTimestamp, WatermarkOutput output) {}

      @Override
      public void onPeriodicEmit(WatermarkOutput output) {
        output.markIdle();
      }
    });
  }

  /** The same, read and decoded in a single task (a small input every task sees by broadcast). */
  public <T extends SpecificRecord> SingleOutputStreamOperator<T> decodedInOneTask(Source<RawRecord, ?, ?> source,
      WatermarkStrategy<RawRecord> watermarks, String input, AvroCodec<T> codec,
      DecodeFunction.SerializableValidator<T> validator) {
    return decode(env.fromSource(source, watermarks, input + "-source").uid(input + "-source").setParallelism(1),
        input, codec, validator).setParallelism(1);
  }

  private <T extends SpecificRecord> SingleOutputStreamOperator<T> decode(DataStream<RawRecord> raw, String input,
      AvroCodec<T> codec, DecodeFunction.SerializableValidator<T> validator) {
    SingleOutputStreamOperator<T> decoded = raw
        .process(new DecodeFunction<>(job, codec, validator), TypeInformation.of(codec.type()))
        .name("decode-" + input).uid("decode-" + input);
    inputs.add(decoded);
    return decoded;
  }

  /** Writes the stream to the output's sink. */
  public static <T> void write(DataStream<T> stream, Sink<T> sink, String output) {
    stream.sinkTo(sink).name(output + "-sink").uid(output + "-sink");
  }

  /**
   * Writes the dead letters of every input to the sink. (Those an operator of {@link Routed} refuses go through its
   * task's sink, routed to the dead letters' topic.)
   */
  public void writeDeadLetters(Sink<DeadLetter> sink) {
    List<DataStream<DeadLetter>> letters = new ArrayList<>();
    for (SingleOutputStreamOperator<?> op : inputs) {
      letters.add(op.getSideOutput(DecodeFunction.DEAD_LETTERS));
    }
    @SuppressWarnings("unchecked")
    DataStream<DeadLetter>[] rest = letters.subList(1, letters.size()).toArray(new DataStream[0]);
    write(letters.get(0).union(rest), sink, "dead-letters");
  }
}
