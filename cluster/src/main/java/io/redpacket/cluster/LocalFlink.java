package io.redpacket.cluster;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.SerializedThrowable;

/**
 * A Flink MiniCluster in this JVM with its REST endpoint and web UI on a port: RocksDB state,
 * exactly-once checkpoints every second by default, the Prometheus reporter. Runs the
 * pipeline's jobs side by side, as a session cluster does, each with checkpoints of its own.
 */
public final class LocalFlink implements AutoCloseable {
  private final MiniCluster cluster;
  private final Configuration conf;
  private final Path dataDir;
  private final int uiPort;
  private final Map<String, JobClient> jobs = new java.util.LinkedHashMap<>();
  /** Jobs whose end {@link #watch} has reported. */
  private final java.util.Set<String> reported = new java.util.HashSet<>();

  private LocalFlink(MiniCluster cluster, Configuration conf, Path dataDir, int uiPort) {
    this.cluster = cluster;
    this.conf = conf;
    this.dataDir = dataDir;
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
        // Records leave a task when a buffer fills or after this (Flink's default): only the edges a shake crosses
        // to its outcome, which a user waits on, are flushed every 5 ms (Topology.awaited in the jobs).
        Map.entry("execution.buffer-timeout.interval", "100 ms"),
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
        // A checkpoint of RocksDB itself flushes every memtable to new files, synchronously in the task, every
        // second: most of what the stateful jobs waited on. With the changelog, each checkpoint persists only the
        // state changes since the last one (written as they happen); RocksDB is materialized every 10 minutes.
        Map.entry("state.changelog.enabled", "true"),
        Map.entry("state.changelog.storage", "filesystem"),
        Map.entry("state.changelog.dstl.dfs.base-path", dataDir.resolve("changelog").toUri().toString()),
        Map.entry("execution.state-recovery.claim-mode", "CLAIM"),
        // The state size on the pipeline dashboard (a cheap RocksDB property, read when reported).
        Map.entry("state.backend.rocksdb.metrics.estimate-live-data-size", "true"),
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

  /** The newest completed checkpoint under {@code root}, if any: what a restarted job resumes from. */
  public static java.util.Optional<Path> latestCheckpoint(Path root) {
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

  /** Starts a MiniCluster with {@code slots} task slots (one set per job at the configured parallelism). */
  public static LocalFlink start(Configuration conf, Path dataDir, int slots) throws Exception {
    Configuration clusterConf = new Configuration(conf);
    clusterConf.setString("taskmanager.numberOfTaskSlots", String.valueOf(slots));
    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(clusterConf)
        .setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build());
    cluster.start();
    LocalFlink flink = new LocalFlink(cluster, conf, dataDir, conf.get(org.apache.flink.configuration.RestOptions.PORT));
    Runtime.getRuntime().addShutdownHook(new Thread(flink::close, "stop-flink"));
    return flink;
  }

  /**
   * Builds a job with {@code topology} and submits it. With {@code resume}, it goes on from its own
   * newest retained checkpoint, if it has one.
   */
  public JobClient submit(String jobName, Consumer<StreamExecutionEnvironment> topology, boolean resume, PrintStream out)
      throws Exception {
    Configuration jobConf = new Configuration(conf);
    Path checkpoints = dataDir.resolve("checkpoints").resolve(jobName);
    jobConf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
    StreamExecutionEnvironment env = new StreamExecutionEnvironment(jobConf);
    topology.accept(env);
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName(jobName);
    JobGraph job = graph.getJobGraph();
    if (resume) {
      var checkpoint = latestCheckpoint(checkpoints);
      if (checkpoint.isPresent()) {
        // CLAIM: the job takes over its own retained checkpoint; the changelog state backend cannot restore in
        // the default NO_CLAIM mode (its first checkpoint after such a restore would fail).
        job.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(checkpoint.get().toUri().toString(), false,
            org.apache.flink.core.execution.RecoveryClaimMode.CLAIM));
        out.println("resuming " + jobName + " from its last checkpoint " + checkpoint.get());
      }
    }
    cluster.submitJob(job).get(1, TimeUnit.MINUTES);
    JobClient client = new MiniClusterJobClient(job.getJobID(), cluster, Thread.currentThread().getContextClassLoader(),
        MiniClusterJobClient.JobFinalizationBehavior.NOTHING);
    jobs.put(jobName, client);
    return client;
  }

  public JobClient job(String jobName) {
    return jobs.get(jobName);
  }

  public String webUi() {
    return "http://127.0.0.1:" + uiPort;
  }

  /**
   * Whether some job is still running. Jobs fail independently (each has its own restart strategy
   * and checkpoints): the stack goes on while one of them runs, and {@link #watch} says which ended.
   */
  public boolean running() {
    for (JobClient job : jobs.values()) {
      try {
        if (!job.getJobStatus().get(5, TimeUnit.SECONDS).isGloballyTerminalState()) {
          return true;
        }
      } catch (Exception e) {
        // a job whose status cannot be read is not counted as running
      }
    }
    return false;
  }

  /**
   * Reports, once each, the jobs that have ended since the last call (failed for good after their
   * restarts, finished or cancelled) with why, and returns whether some job still runs.
   */
  public synchronized boolean watch(PrintStream err) {
    for (Map.Entry<String, JobClient> e : jobs.entrySet()) {
      if (reported.contains(e.getKey())) {
        continue;
      }
      JobStatus status;
      try {
        status = e.getValue().getJobStatus().get(5, TimeUnit.SECONDS);
      } catch (Exception unreadable) {
        continue;
      }
      if (status.isGloballyTerminalState()) {
        reported.add(e.getKey());
        err.println("job " + e.getKey() + " " + status + ": " + why(e.getValue())
            + (running() ? "; the other jobs keep running" : ""));
      }
    }
    return running();
  }

  /** The root cause of a job's end, as the class and message of the exception that ended it. */
  private String why(JobClient job) {
    try {
      JobResult result = cluster.requestJobResult(job.getJobID()).get(10, TimeUnit.SECONDS);
      if (result.getSerializedThrowable().isEmpty()) {
        return "no error";
      }
      Throwable t = result.getSerializedThrowable().get();
      while (t.getCause() != null && t.getCause() != t) {
        t = t.getCause();
      }
      String name = t instanceof SerializedThrowable st ? st.getOriginalErrorClassName() : t.getClass().getName();
      return name + ": " + t.getMessage();
    } catch (Exception e) {
      return "cause unknown (" + e + ")";
    }
  }

  @Override
  public synchronized void close() {
    for (JobClient job : jobs.values()) {
      try {
        if (!job.getJobStatus().get(5, TimeUnit.SECONDS).isGloballyTerminalState()) {
          job.cancel().get(30, TimeUnit.SECONDS);
        }
      } catch (Exception ignored) {
        // cancelling anyway; the cluster goes down next
      }
    }
    jobs.clear();
    try {
      cluster.close();
    } catch (Exception ignored) {
      // shutting down
    }
  }
}
