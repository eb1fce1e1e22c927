package io.redpacket.jobs.common;

import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.ConnectedStreams;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.graph.StreamConfig;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.StreamTask;

/**
 * A job's stateful operators with their outputs routed to topics ({@link Routes}), and the one exactly-once sink of
 * their task: every topic the task writes goes through one producer, in one transaction per checkpoint, instead of
 * a producer, a transaction and a transactional id per topic. The functions are Flink's usual process functions,
 * unchanged (their harness tests see their usual outputs); only the operator that runs them hands its output to a
 * {@link RoutingOutput}.
 *
 * <p>Each operator is named and uid'd {@code task}; its sink {@code task-sink}.
 */
public final class Routed {
  /**
   * Keys a latest-value route holds at most between two checkpoints before it passes them all on early. The
   * benches changed up to about 13,000 shares and 17,000 grants a second per subtask: room for a 2 s checkpoint
   * interval. A share state with its claims takes an estimated one to two kilobytes of heap: at most 40 to 80 MB.
   */
  public static final int LATEST_MAX_KEYS = 40_000;
  private static final TypeInformation<Encoded> ENCODED = TypeInformation.of(Encoded.class);

  private Routed() {}

  /** A keyed two-input operator whose outputs go to {@code sink}. */
  public static <K, I1, I2, O> SingleOutputStreamOperator<Encoded> process(ConnectedStreams<I1, I2> keyed,
      KeyedCoProcessFunction<K, I1, I2, O> function, Routes routes, String task, Sink<Encoded> sink) {
    @SuppressWarnings({"unchecked", "rawtypes"}) // the operator's function makes O; the routing output turns it into Encoded
    TwoInputStreamOperator<I1, I2, Encoded> operator = (TwoInputStreamOperator) new CoProcess<>(function, routes, LATEST_MAX_KEYS);
    return write(keyed.transform(task, ENCODED, operator), task, sink);
  }

  /** A keyed one-input operator whose outputs go to {@code sink}. */
  public static <K, I, O> SingleOutputStreamOperator<Encoded> process(KeyedStream<I, K> keyed,
      KeyedProcessFunction<K, I, O> function, Routes routes, String task, Sink<Encoded> sink) {
    @SuppressWarnings({"unchecked", "rawtypes"})
    OneInputStreamOperator<I, Encoded> operator = (OneInputStreamOperator) new Process<>(function, routes, LATEST_MAX_KEYS);
    return write(keyed.transform(task, ENCODED, operator), task, sink);
  }

  /**
   * A keyed operator with a broadcast input whose outputs go to {@code sink}: the transformation Flink's
   * {@code BroadcastConnectedStream.process} makes, with this operator in it.
   */
  public static <K, I1, I2, O> SingleOutputStreamOperator<Encoded> process(KeyedStream<I1, K> keyed,
      BroadcastStream<I2> broadcast, KeyedBroadcastProcessFunction<K, I1, I2, O> function, Routes routes, String task,
      Sink<Encoded> sink) {
    StreamExecutionEnvironment env = keyed.getExecutionEnvironment();
    @SuppressWarnings({"unchecked", "rawtypes"})
    StreamOperatorFactory<Encoded> operator =
        (StreamOperatorFactory) SimpleOperatorFactory.of(new Broadcast<>(function, broadcast.getBroadcastStateDescriptors(), routes, LATEST_MAX_KEYS));
    var transformation = new TwoInputTransformation<I1, I2, Encoded>(keyed.getTransformation(), broadcast.getTransformation(),
        task, operator, ENCODED, env.getParallelism(), false);
    transformation.setStateKeySelectors(keyed.getKeySelector(), null);
    transformation.setStateKeyType(keyed.getKeyType());
    env.addOperator(transformation);
    return write(new SingleOutputStreamOperator<>(env, transformation) {}, task, sink);
  }

  private static SingleOutputStreamOperator<Encoded> write(SingleOutputStreamOperator<Encoded> operator, String task,
      Sink<Encoded> sink) {
    operator.name(task).uid(task);
    Topology.write(operator, sink, task);
    return operator;
  }

  /** The one-input operator alone, with a bound of its own (tests). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static <K, I, O> OneInputStreamOperator<I, Encoded> operator(KeyedProcessFunction<K, I, O> function, Routes routes,
      int maxKeys) {
    return (OneInputStreamOperator) new Process<>(function, routes, maxKeys);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static RoutingOutput routing(Output output, Routes routes, int maxKeys) {
    return new RoutingOutput(output, routes, maxKeys);
  }

  private static final class CoProcess<K, I1, I2, O> extends BufferingCoProcessOperator<K, I1, I2, O> {
    private static final long serialVersionUID = 1L;
    private final Routes routes;
    private final int maxKeys;
    private transient RoutingOutput routing;

    CoProcess(KeyedCoProcessFunction<K, I1, I2, O> function, Routes routes, int maxKeys) {
      super(function);
      this.routes = routes;
      this.maxKeys = maxKeys;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    protected void setup(StreamTask<?, ?> task, StreamConfig config, Output<StreamRecord<O>> output) {
      routing = routing(output, routes, maxKeys);
      super.setup(task, config, (Output) routing);
    }

    @Override
    public void open() throws Exception {
      super.open();
      routing.countSupersededIn(getMetricGroup().counter("supersededBeforeCheckpoint"));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      super.prepareSnapshotPreBarrier(checkpointId);
      routing.flush();
    }

    @Override
    public void finish() throws Exception {
      super.finish();
      routing.flush();
    }
  }

  private static final class Process<K, I, O> extends KeyedProcessOperator<K, I, O> {
    private static final long serialVersionUID = 1L;
    private final Routes routes;
    private final int maxKeys;
    private transient RoutingOutput routing;

    Process(KeyedProcessFunction<K, I, O> function, Routes routes, int maxKeys) {
      super(function);
      this.routes = routes;
      this.maxKeys = maxKeys;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    protected void setup(StreamTask<?, ?> task, StreamConfig config, Output<StreamRecord<O>> output) {
      routing = routing(output, routes, maxKeys);
      super.setup(task, config, (Output) routing);
    }

    @Override
    public void open() throws Exception {
      super.open();
      routing.countSupersededIn(getMetricGroup().counter("supersededBeforeCheckpoint"));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      super.prepareSnapshotPreBarrier(checkpointId);
      routing.flush();
    }

    @Override
    public void finish() throws Exception {
      super.finish();
      routing.flush();
    }
  }

  private static final class Broadcast<K, I1, I2, O> extends CoBroadcastWithKeyedOperator<K, I1, I2, O> {
    private static final long serialVersionUID = 1L;
    private final Routes routes;
    private final int maxKeys;
    private transient RoutingOutput routing;

    Broadcast(KeyedBroadcastProcessFunction<K, I1, I2, O> function, java.util.List<MapStateDescriptor<?, ?>> states,
        Routes routes, int maxKeys) {
      super(function, states);
      this.routes = routes;
      this.maxKeys = maxKeys;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    protected void setup(StreamTask<?, ?> task, StreamConfig config, Output<StreamRecord<O>> output) {
      routing = routing(output, routes, maxKeys);
      super.setup(task, config, (Output) routing);
    }

    @Override
    public void open() throws Exception {
      super.open();
      routing.countSupersededIn(getMetricGroup().counter("supersededBeforeCheckpoint"));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      super.prepareSnapshotPreBarrier(checkpointId);
      routing.flush();
    }

    @Override
    public void finish() throws Exception {
      super.finish();
      routing.flush();
    }
  }
}
