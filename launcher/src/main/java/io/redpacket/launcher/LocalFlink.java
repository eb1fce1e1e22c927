package io.redpacket.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A Flink MiniCluster in this JVM with its REST endpoint and web UI on a port: RocksDB state,
 * exactly-once checkpoints every second by default, the Prometheus reporter. Runs one job.
 */
public final class LocalFlink implements AutoCloseable {
  private final JobClient job;
  private final int uiPort;

  private LocalFlink(JobClient job, int uiPort) {
    this.job = job;
    this.uiPort = uiPort;
  }

  public static Configuration configuration(Path dataDir, int uiPort, int parallelism, Duration checkpointInterval) {
    try {
      Files.createDirectories(dataDir.resolve("checkpoints"));
      Files.createDirectories(dataDir.resolve("tmp"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Configuration conf = Configuration.fromMap(Map.ofEntries(
        Map.entry("rest.port", String.valueOf(uiPort)),
        Map.entry("rest.address", "127.0.0.1"),
        Map.entry("rest.bind-address", "127.0.0.1"),
        Map.entry("state.backend.type", "rocksdb"),
        Map.entry("execution.checkpointing.incremental", "true"),
        Map.entry("execution.checkpointing.interval", checkpointInterval.toMillis() + " ms"),
        Map.entry("execution.checkpointing.mode", "EXACTLY_ONCE"),
        Map.entry("execution.checkpointing.dir", dataDir.resolve("checkpoints").toUri().toString()),
        Map.entry("execution.checkpointing.savepoint-dir", dataDir.resolve("savepoints").toUri().toString()),
        // Kept after a stop, so a stack started again on the same data resumes where it stopped.
        Map.entry("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION"),
        Map.entry("restart-strategy.type", "fixed-delay"),
        Map.entry("restart-strategy.fixed-delay.attempts", "10"),
        Map.entry("restart-strategy.fixed-delay.delay", "1 s"),
        Map.entry("taskmanager.numberOfTaskSlots", String.valueOf(parallelism)),
        // RocksDB lives in managed memory; bloom filters spare a disk read for every first-seen shake id and user.
        Map.entry("taskmanager.memory.managed.size", "512m"),
        Map.entry("state.backend.rocksdb.use-bloom-filter", "true"),
        Map.entry("state.backend.rocksdb.predefined-options", "FLASH_SSD_OPTIMIZED"),
        Map.entry("parallelism.default", String.valueOf(parallelism)),
        Map.entry("io.tmp.dirs", dataDir.resolve("tmp").toString()),
        Map.entry("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"),
        Map.entry("metrics.reporter.prom.port", "9249-9260")));
    // Extra settings for experiments and operators: -Dredpacket.flink.<key>=<value>.
    System.getProperties().forEach((k, v) -> {
      if (k.toString().startsWith("redpacket.flink.")) {
        conf.setString(k.toString().substring("redpacket.flink.".length()), v.toString());
      }
    });
    return conf;
  }

  /** The newest completed checkpoint under {@code dataDir}, if any: what a restarted stack resumes from. */
  static java.util.Optional<Path> latestCheckpoint(Path dataDir) {
    Path root = dataDir.resolve("checkpoints");
    if (!Files.isDirectory(root)) {
      return java.util.Optional.empty();
    }
    try (var files = Files.walk(root, 3)) {
      return files.filter(p -> p.getFileName().toString().equals("_metadata"))
          .max(java.util.Comparator.comparingLong(p -> p.toFile().lastModified()))
          .map(Path::getParent);
    } catch (java.io.IOException e) {
      return java.util.Optional.empty();
    }
  }

  /** Builds the job with {@code topology} on a new MiniCluster and starts it. */
  public static LocalFlink start(Configuration conf, String jobName, Consumer<StreamExecutionEnvironment> topology)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    topology.accept(env);
    JobClient client = env.executeAsync(jobName);
    LocalFlink flink = new LocalFlink(client, conf.get(org.apache.flink.configuration.RestOptions.PORT));
    Runtime.getRuntime().addShutdownHook(new Thread(flink::close, "stop-flink"));
    return flink;
  }

  public JobClient job() {
    return job;
  }

  public String webUi() {
    return "http://127.0.0.1:" + uiPort;
  }

  /** Whether the job is still running (not failed, finished or cancelled). */
  public boolean running() {
    try {
      return !job.getJobStatus().get(5, TimeUnit.SECONDS).isGloballyTerminalState();
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    try {
      if (running()) {
        job.cancel().get(30, TimeUnit.SECONDS);
      }
      job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // cancelled jobs end with an exception; the MiniCluster shuts down with the job
    }
  }
}
