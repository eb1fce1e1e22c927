package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.cluster.Cluster;
import io.redpacket.cluster.PipelineJobs;
import io.redpacket.codec.Topics;
import io.redpacket.ingest.IngestMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * docker-compose.yml cannot run here (no Docker engine), so this keeps it in step with what does run,
 * `./redpacket cluster`: the same topics, brokers and replication, Flink version, TaskManagers and
 * slots, the same three jobs with the same flags, and the ingest on its own image.
 */
class ComposeFileTest {
  private static Map<String, Object> services;

  @BeforeAll
  static void load() throws Exception {
    Map<String, Object> doc = new Yaml().load(Files.readString(Path.of("..", "docker-compose.yml")));
    services = map(doc, "services");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    assertThat(parent).containsKey(key);
    return (Map<String, Object>) parent.get(key);
  }

  private static Map<String, Object> service(String name) {
    return map(services, name);
  }

  /** A command or entrypoint, written as a list or a string, as one line of shell. */
  private static String command(Map<String, Object> service) {
    Object c = service.get("command");
    return c instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList()) : String.valueOf(c);
  }

  @Test
  void theTopicsServiceCreatesEveryTopicOfThePipelineReplicatedThreeTimes() {
    Map<String, Object> topics = service("topics");
    Map<String, Object> env = map(topics, "environment");
    assertThat(List.of(env.get("TOPICS").toString().split(" "))).containsExactlyElementsOf(Topics.ALL);
    assertThat(List.of(env.get("COMPACTED").toString().split(" "))).containsExactlyElementsOf(Topics.COMPACTED);
    assertThat(command(topics)).contains("--replication-factor " + Cluster.BROKERS).contains("transaction.version=1");
  }

  @Test
  void threeKraftBrokersWithTheClustersReplication() {
    for (int n = 1; n <= Cluster.BROKERS; n++) {
      Map<String, Object> env = map(service("kafka-" + n), "environment");
      assertThat(env).containsEntry("KAFKA_NODE_ID", n)
          .containsEntry("KAFKA_DEFAULT_REPLICATION_FACTOR", Cluster.BROKERS)
          .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", Cluster.BROKERS - 1)
          .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", Cluster.BROKERS - 1)
          .containsEntry("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");
    }
    assertThat(services).doesNotContainKey("kafka-" + (Cluster.BROKERS + 1));
  }

  @Test
  @SuppressWarnings("unchecked")
  void flinkOfTheSameVersionWithTheClustersTaskManagersAndSlotsReadingFlinkConf() {
    String[] version = EnvironmentInformation.getVersion().split("\\.");
    String image = "flink:" + version[0] + "." + version[1] + "-java17";
    var up = new CommandLine(new ClusterCommand.Up()).getCommandSpec();
    int taskManagers = Integer.parseInt(up.findOption("--taskmanagers").defaultValue());
    int slots = Integer.parseInt(up.findOption("--slots").defaultValue());
    assertThat(service("jobmanager")).containsEntry("image", image);
    assertThat((List<Object>) service("jobmanager").get("volumes")).contains("./flink-conf:/redpacket/flink-conf:ro");
    for (int n = 1; n <= taskManagers; n++) {
      Map<String, Object> tm = service("taskmanager-" + n);
      assertThat(tm).containsEntry("image", image);
      assertThat((List<Object>) tm.get("volumes")).contains("./flink-conf:/redpacket/flink-conf:ro");
      Map<String, Object> flink = new Yaml().load(map(tm, "environment").get("FLINK_PROPERTIES").toString());
      assertThat(flink).containsEntry("taskmanager.resource-id", "taskmanager-" + n)
          .containsEntry("taskmanager.numberOfTaskSlots", slots);
    }
    assertThat(services).doesNotContainKey("taskmanager-" + (taskManagers + 1));
  }

  @Test
  @SuppressWarnings("unchecked")
  void brokerDataAndCheckpointsLiveOnNamedVolumesNeverInTmp() throws Exception {
    Map<String, Object> volumes = map(new Yaml().load(Files.readString(Path.of("..", "docker-compose.yml"))), "volumes");
    for (int n = 1; n <= Cluster.BROKERS; n++) {
      Map<String, Object> broker = service("kafka-" + n);
      String logDirs = map(broker, "environment").get("KAFKA_LOG_DIRS").toString();
      assertThat(logDirs).doesNotStartWith("/tmp");
      assertThat((List<Object>) broker.get("volumes")).contains("kafka-" + n + "-data:" + logDirs);
      assertThat(volumes).containsKey("kafka-" + n + "-data");
    }
    // The checkpoint and savepoint folders of flink-conf/config.yaml are on the flink-state volume.
    Map<String, Object> conf = new Yaml().load(Files.readString(Path.of("..", "flink-conf", "config.yaml")));
    Map<String, Object> checkpointing = map(map(conf, "execution"), "checkpointing");
    for (String key : List.of("dir", "savepoint-dir")) {
      String path = checkpointing.get(key).toString().replaceFirst("^file://", "");
      assertThat(path).doesNotStartWith("/tmp");
      for (String flink : List.of("jobmanager", "taskmanager-1", "taskmanager-2")) {
        assertThat((List<Object>) service(flink).get("volumes")).anySatisfy(v -> {
          String[] mount = v.toString().split(":");
          assertThat(mount[0]).isEqualTo("flink-state");
          assertThat(path).startsWith(mount[1] + "/");
        });
      }
    }
    assertThat(volumes).containsKey("flink-state");
  }

  @Test
  void theSubmitServiceRunsTheThreeJobsAsTheClusterDoes() {
    String submit = command(service("submit"));
    assertThat(submit).contains("flink run -d");
    for (PipelineJobs.JobSpec job : PipelineJobs.pipeline("b", "", Duration.ofDays(1), Duration.ofDays(1))) {
      List<String> flags = job.args().subList(2, job.args().size()); // after --bootstrap b
      assertThat(submit).contains(("run " + job.entryClass() + " " + String.join(" ", flags)).trim());
    }
  }

  @Test
  void onlyThePortsAPersonNeedsArePublishedOnLoopback() {
    List<String> ports = new ArrayList<>();
    services.values().forEach(s -> {
      Object p = ((Map<?, ?>) s).get("ports");
      if (p != null) {
        ((List<?>) p).forEach(port -> ports.add(port.toString()));
      }
    });
    assertThat(ports).allSatisfy(p -> assertThat(p).startsWith("127.0.0.1:")).hasSize(8);
  }

  @Test
  void grafanaLetsVisitorsOnlyViewAndTakesItsAdminPasswordFromTheEnvFile() throws Exception {
    Map<String, Object> env = map(service("grafana"), "environment");
    assertThat(String.valueOf(env.get("GF_AUTH_ANONYMOUS_ORG_ROLE"))).isEqualTo("Viewer");
    assertThat(String.valueOf(env.get("GF_SECURITY_ADMIN_PASSWORD"))).startsWith("${GRAFANA_ADMIN_PASSWORD:?");
    assertThat(Files.readString(Path.of("..", ".env.example"))).contains("GRAFANA_ADMIN_PASSWORD=");
  }

  @Test
  void prometheusScrapesTheIngestOnItsAdminPort() throws Exception {
    List<String> args = ((List<?>) service("ingest").get("command")).stream().map(String::valueOf).toList();
    String adminPort = args.get(args.indexOf("--admin-port") + 1);
    assertThat(Files.readString(Path.of("..", "monitoring", "prometheus-compose.yml")))
        .contains("'ingest:" + adminPort + "'");
  }

  @Test
  void theIngestRunsOnItsOwnImageWithOptionsItsCommandTakes() {
    Map<String, Object> ingest = service("ingest");
    assertThat(map(ingest, "build")).containsEntry("context", ".").containsEntry("dockerfile", "docker/ingest.Dockerfile");
    assertThat(Path.of("..", "docker", "ingest.Dockerfile")).exists();
    // The image's entrypoint is IngestMain, so the command is its options alone.
    List<String> args = ((List<?>) ingest.get("command")).stream().map(String::valueOf).toList();
    new CommandLine(new IngestMain()).parseArgs(args.toArray(String[]::new));
    assertThat(map(service("simulator"), "build")).containsEntry("dockerfile", "docker/Dockerfile");
  }
}
