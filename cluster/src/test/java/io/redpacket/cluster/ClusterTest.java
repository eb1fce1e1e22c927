package io.redpacket.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How `./redpacket cluster` starts Flink's processes and the jobs, without starting them. */
class ClusterTest {
  private static final Path FLINK_CONF = Path.of("..", "flink-conf");

  @TempDir
  Path dir;

  @Test
  void aTaskManagerRunsAsFlinkStartScriptsWouldFromTheRepositoryConfiguration() {
    Cluster cluster = Cluster.create(dir, FLINK_CONF, new ClusterSettings(19092, 8081, 2, 6, 8));
    List<String> cmd = cluster.flinkCommand("taskmanager-2");
    String line = String.join(" ", cmd);
    // Memory flags derived from taskmanager.memory.process.size in flink-conf/config.yaml (2400m), as Flink's scripts do.
    assertThat(cmd).anyMatch(a -> a.startsWith("-Xmx")).anyMatch(a -> a.startsWith("-XX:MaxDirectMemorySize="));
    // The Java 17 opens from env.java.opts.all.
    assertThat(cmd).contains("--add-opens=java.base/java.util=ALL-UNNAMED");
    assertThat(cmd).contains(Cluster.MARKER + cluster.dir("taskmanager-2"));
    assertThat(line).contains("org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "
        + FLINK_CONF.toAbsolutePath().normalize());
    assertThat(line).contains("-D taskmanager.resource-id=taskmanager-2", "-D taskmanager.numberOfTaskSlots=6",
        "-D taskmanager.memory.managed.size=");
    // The jobs' jars are kept in the TaskManager's working directory, which its fixed resource id keeps across a
    // kill: a blob.storage.directory would make Flink use a new folder at every start and fetch every jar again.
    assertThat(line).contains("-D process.taskmanager.working-dir=" + cluster.dir("taskmanager-2").resolve("work"))
        .doesNotContain("blob.storage.directory");
    assertThat(String.join(" ", cluster.flinkCommand("jobmanager")))
        .contains("-D blob.storage.directory=" + cluster.dir("jobmanager").resolve("blobs"));
    // Checkpoints and savepoints live with the cluster, so jobs resume after a crash.
    assertThat(line).contains("-D execution.checkpointing.dir=file://" + cluster.root.resolve("flink/checkpoints"));
    // The Flink processes get Flink's jars and Kafka's client only; the pipeline's code comes in the submitted jar.
    assertThat(FlinkCommandLine.flinkClasspath()).contains("flink-runtime-2").contains("flink-statebackend-rocksdb")
        .doesNotContain("/schemas/").doesNotContain("avro-1");
  }

  /**
   * A TaskManager that takes over a dead one's tasks loads Kafka's client once for every job, from its own classpath,
   * instead of once per job from each job's jar; it is the version the jobs are built and tested with, so the jar's
   * copy it shadows is the same.
   */
  @Test
  void kafkasClientIsLoadedOncePerTaskManagerInTheVersionTheJobsUse() {
    org.apache.flink.configuration.Configuration conf =
        org.apache.flink.configuration.GlobalConfiguration.loadConfiguration(FLINK_CONF.toString());
    assertThat(conf.get(org.apache.flink.configuration.CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL))
        .contains("org.apache.kafka.");
    String version = org.apache.kafka.common.utils.AppInfoParser.getVersion();
    assertThat(FlinkCommandLine.flinkClasspath().split(java.io.File.pathSeparator))
        .filteredOn(jar -> jar.contains("kafka-clients"))
        .singleElement().asString().endsWith("kafka-clients-" + version + ".jar");
  }

  @Test
  void theShippedConfigurationRecoversInSecondsAndKeepsStateOutOfTmp() {
    org.apache.flink.configuration.Configuration conf =
        org.apache.flink.configuration.GlobalConfiguration.loadConfiguration(FLINK_CONF.toString());
    // A killed TaskManager refuses the next heartbeat RPC, which marks it lost: within half a second.
    Duration heartbeat = conf.get(org.apache.flink.configuration.HeartbeatManagerOptions.HEARTBEAT_INTERVAL);
    assertThat(heartbeat).isLessThanOrEqualTo(Duration.ofMillis(500));
    assertThat(conf.get(org.apache.flink.configuration.HeartbeatManagerOptions.HEARTBEAT_RPC_FAILURE_THRESHOLD)).isEqualTo(1);
    // The timeout is for a peer that hangs without refusing; a loaded machine's busy TaskManager must not trip it.
    assertThat(conf.get(org.apache.flink.configuration.HeartbeatManagerOptions.HEARTBEAT_TIMEOUT)).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
    assertThat(conf.get(org.apache.flink.configuration.TaskManagerOptions.SLOT_TIMEOUT)).isGreaterThanOrEqualTo(Duration.ofMinutes(1));
    assertThat(conf.get(org.apache.flink.configuration.RpcOptions.ASK_TIMEOUT_DURATION)).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
    assertThat(conf.get(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
    // The first restart waits for that mark (a restart before it deploys to the dead TaskManager and fails again),
    // and no longer.
    assertThat(conf.get(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
        .isGreaterThanOrEqualTo(heartbeat).isLessThanOrEqualTo(heartbeat.plusMillis(100));
    assertThat(conf.get(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD))
        .isLessThanOrEqualTo(Duration.ofSeconds(30));
    // Spread over the TaskManagers, so a kill moves half the tasks and the other half restart warm, state local.
    assertThat(conf.get(org.apache.flink.configuration.TaskManagerOptions.TASK_MANAGER_LOAD_BALANCE_MODE))
        .isEqualTo(org.apache.flink.configuration.TaskManagerOptions.TaskManagerLoadBalanceMode.SLOTS);
    assertThat(conf.get(org.apache.flink.configuration.CheckpointingOptions.LOCAL_BACKUP_ENABLED)).isTrue();
    assertThat(conf.get(org.apache.flink.configuration.StateRecoveryOptions.LOCAL_RECOVERY)).isTrue();
    assertThat(conf.get(org.apache.flink.configuration.CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
    // Issue 15, finding 8: the only copy of the jobs' state is never under /tmp.
    assertThat(conf.get(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY)).startsWith("file:///")
        .doesNotStartWith("file:///tmp");
    assertThat(conf.get(org.apache.flink.configuration.CheckpointingOptions.SAVEPOINT_DIRECTORY)).startsWith("file:///")
        .doesNotStartWith("file:///tmp");
  }

  /**
   * Each task's output buffers are flushed by a thread of its own, every buffer timeout: at 5 ms on every edge, the
   * demo's 55 flushers woke 10,000 times a second and kept the ingest's event loops waiting for a core. The cluster
   * and the local stack keep Flink's 100 ms; the jobs flush the shakes' edge, which a user waits on, sooner.
   */
  @Test
  void onlyTheEdgesAUserWaitsOnAreFlushedEveryFewMilliseconds() {
    Duration minimum = Duration.ofMillis(100);
    var option = org.apache.flink.configuration.ExecutionOptions.BUFFER_TIMEOUT;
    assertThat(org.apache.flink.configuration.GlobalConfiguration.loadConfiguration(FLINK_CONF.toString()).get(option))
        .isGreaterThanOrEqualTo(minimum);
    assertThat(LocalFlink.configuration(dir, 0, 2, Duration.ofSeconds(1)).get(option)).isGreaterThanOrEqualTo(minimum);
  }

  @Test
  void theJobManagerServesRestOnTheChosenPort() {
    Cluster cluster = Cluster.create(dir, FLINK_CONF, new ClusterSettings(19092, 18081, 2, 6, 8));
    String line = String.join(" ", cluster.flinkCommand("jobmanager"));
    assertThat(line).contains("StandaloneSessionClusterEntrypoint", "-D rest.port=18081", "-Xmx");
    assertThat(cluster.restUrl()).isEqualTo("http://127.0.0.1:18081");
    assertThat(cluster.bootstrap()).isEqualTo("127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094");
    assertThat(cluster.components()).containsExactly("kafka-1", "kafka-2", "kafka-3", "jobmanager", "taskmanager-1",
        "taskmanager-2");
  }

  @Test
  void theSettingsAreKeptForLaterCommandsAndBadOnesAreRefused() {
    Cluster.create(dir, FLINK_CONF, new ClusterSettings(20000, 8082, 3, 4, 16));
    Cluster again = Cluster.open(dir, FLINK_CONF);
    assertThat(again.settings).isEqualTo(new ClusterSettings(20000, 8082, 3, 4, 16));
    assertThatThrownBy(() -> new ClusterSettings(80, 8081, 2, 6, 8)).hasMessageContaining("--kafka-port");
    assertThatThrownBy(() -> new ClusterSettings(19092, 8081, 0, 6, 8)).hasMessageContaining("--taskmanagers");
    assertThatThrownBy(() -> Cluster.open(dir.resolve("nothing"), FLINK_CONF)).hasMessageContaining("cluster up");
  }

  @Test
  void theThreeJobsGetTheirFlags() {
    var jobs = PipelineJobs.pipeline("b:1", "demo-1.", Duration.ofSeconds(45), Duration.ofSeconds(30));
    assertThat(jobs).extracting(PipelineJobs.JobSpec::name)
        .containsExactly("redpacket-allocation", "redpacket-settlement", "redpacket-sharing", "redpacket-audit");
    assertThat(jobs.get(0).args()).containsExactly("--bootstrap", "b:1", "--topic-prefix", "demo-1.");
    // A short expiry gets half of it as the grace for late opens and claims (enough for a broker's failover);
    // a day gets a minute, a few seconds 5 s.
    assertThat(jobs.get(1).args()).containsSequence("--expiry-seconds", "45", "--open-grace-seconds", "22");
    assertThat(jobs.get(2).args()).containsSequence("--expiry-seconds", "30", "--claim-grace-seconds", "15");
    assertThat(PipelineJobs.pipeline("b:1", "", Duration.ofSeconds(6), Duration.ofSeconds(6)).get(1).args())
        .containsSequence("--open-grace-seconds", "5");
    assertThat(PipelineJobs.pipeline("b:1", "", Duration.ofDays(1), Duration.ofDays(1)).get(2).args())
        .containsSequence("--claim-grace-seconds", "60").doesNotContain("--topic-prefix");
  }
}
