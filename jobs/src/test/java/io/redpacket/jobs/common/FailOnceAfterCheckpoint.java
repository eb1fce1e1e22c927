package io.redpacket.jobs.common;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Failure injection for the exactly-once tests: passes records through, and throws once, on the
 * n-th record after a checkpoint completed; slows records until then so that one does. One test
 * at a time uses it (the state is static, as the function runs on the task managers).
 */
public final class FailOnceAfterCheckpoint<T> extends RichMapFunction<T, T> implements CheckpointListener {
  public static final AtomicBoolean FAILED = new AtomicBoolean();
  private static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
  private static final AtomicLong AFTER = new AtomicLong();
  private static volatile long threshold;

  private final long beforeCheckpointNanos;
  private final long afterCheckpointNanos;

  /** @param slowdownNanos how long each record takes until the failure, so the run outlives a checkpoint */
  public FailOnceAfterCheckpoint(long slowdownNanos) {
    this(slowdownNanos, slowdownNanos);
  }

  /**
   * Slower until the first checkpoint completed, so that however late it comes on a slow machine, enough
   * records are left after it to fail on. Only where this map is chained to its source: the barrier then
   * enters between two records; behind a network shuffle it would wait for every record buffered ahead.
   *
   * @param beforeCheckpointNanos how long each record takes until a checkpoint completed
   * @param afterCheckpointNanos how long each takes from then until the failure
   */
  public FailOnceAfterCheckpoint(long beforeCheckpointNanos, long afterCheckpointNanos) {
    this.beforeCheckpointNanos = beforeCheckpointNanos;
    this.afterCheckpointNanos = afterCheckpointNanos;
  }

  /** Arms the failure for the {@code n}-th record after the next completed checkpoint. */
  public static void reset(long n) {
    FAILED.set(false);
    CHECKPOINTED.set(false);
    AFTER.set(0);
    threshold = n;
  }

  /** Whether a checkpoint completed since the last {@link #reset}: a test may then send the rest of its input. */
  public static boolean checkpointed() {
    return CHECKPOINTED.get();
  }

  @Override
  public T map(T record) {
    if (!FAILED.get()) {
      boolean checkpointed = CHECKPOINTED.get();
      LockSupport.parkNanos(checkpointed ? afterCheckpointNanos : beforeCheckpointNanos);
      if (checkpointed && AFTER.incrementAndGet() >= threshold && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure after a completed checkpoint");
      }
    }
    return record;
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    CHECKPOINTED.set(true);
  }

  /** A local environment on a MiniCluster of its own ({@link #clusterConfig}), at the given parallelism. */
  public static StreamExecutionEnvironment miniCluster(String runName, int parallelism, String managedMemory) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(
        clusterConfig(runName, parallelism, managedMemory));
    env.setParallelism(parallelism);
    return env;
  }

  /** A MiniCluster for one job run: RocksDB, exactly-once checkpoints every 400 ms, quick restarts. */
  public static Configuration clusterConfig(String runName, int parallelism, String managedMemory) {
    Configuration conf = Configuration.fromMap(Map.of(
        "state.backend.type", "rocksdb",
        "execution.checkpointing.interval", "400 ms",
        "execution.checkpointing.mode", "EXACTLY_ONCE",
        "restart-strategy.type", "fixed-delay",
        "restart-strategy.fixed-delay.attempts", "5",
        "restart-strategy.fixed-delay.delay", "200 ms"));
    conf.setString("execution.checkpointing.dir", "file://" + System.getProperty("java.io.tmpdir") + "/rp-ckpt-" + runName);
    conf.setString("taskmanager.numberOfTaskSlots", String.valueOf(parallelism));
    conf.setString("taskmanager.memory.managed.size", managedMemory);
    return conf;
  }
}
