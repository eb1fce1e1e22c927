package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.codec.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine;

/**
 * docker-compose.yml cannot run here (no Docker engine), so this keeps it in step with what does run,
 * `./redpacket cluster`: the same topics, brokers and replication, Flink version, TaskManagers and
 * slots, and the same three jobs with the same flags.
 */
class ComposeFileTest {
  private static String text;
  private static Map<String, Object> services;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws Exception {
    text = Files.readString(Path.of("..", "docker-compose.yml"));
    Map<String, Object> doc = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
    services = (Map<String, Object>) doc.get("services");
  }

  @Test
  void theTopicsServiceCreatesEveryTopicOfThePipelineReplicatedThreeTimes() {
    Map<?, ?> env = (Map<?, ?>) ((Map<?, ?>) services.get("topics")).get("environment");
    assertThat(List.of(env.get("TOPICS").toString().split(" "))).containsExactlyElementsOf(Topics.ALL);
    assertThat(List.of(env.get("COMPACTED").toString().split(" "))).containsExactlyElementsOf(Topics.COMPACTED);
    assertThat(text).contains("--replication-factor " + Cluster.BROKERS).contains("transaction.version=1");
  }

  @Test
  void threeKraftBrokersWithTheClustersReplication() {
    assertThat(services).containsKeys("kafka-1", "kafka-2", "kafka-3").doesNotContainKey("kafka-4");
    assertThat(text).contains("KAFKA_DEFAULT_REPLICATION_FACTOR: " + Cluster.BROKERS,
        "KAFKA_MIN_INSYNC_REPLICAS: " + (Cluster.BROKERS - 1), "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: " + (Cluster.BROKERS - 1),
        "KAFKA_CONTROLLER_QUORUM_VOTERS: 1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");
  }

  @Test
  void flinkOfTheSameVersionWithTheClustersTaskManagersAndSlotsReadingFlinkConf() {
    String[] version = EnvironmentInformation.getVersion().split("\\.");
    assertThat(text).contains("image: flink:" + version[0] + "." + version[1] + "-java17");
    var up = new CommandLine(new ClusterCommand.Up()).getCommandSpec();
    int taskManagers = Integer.parseInt(up.findOption("--taskmanagers").defaultValue());
    String slots = up.findOption("--slots").defaultValue();
    for (int n = 1; n <= taskManagers; n++) {
      assertThat(services).containsKey("taskmanager-" + n);
      assertThat(text).contains("taskmanager.resource-id: taskmanager-" + n);
    }
    assertThat(services).doesNotContainKey("taskmanager-" + (taskManagers + 1));
    assertThat(text).contains("taskmanager.numberOfTaskSlots: " + slots).contains("./flink-conf:/redpacket/flink-conf:ro");
  }

  @Test
  void theSubmitServiceRunsTheThreeJobsAsTheClusterDoes() {
    String submit = ((Map<?, ?>) services.get("submit")).get("command").toString();
    assertThat(submit).contains("flink run -d");
    for (Deployment.JobSpec job : Deployment.pipeline("b", "", Duration.ofDays(1), Duration.ofDays(1))) {
      List<String> flags = job.args().subList(2, job.args().size()); // after --bootstrap b
      assertThat(submit).contains(("run " + job.entryClass() + " " + String.join(" ", flags)).trim());
    }
  }

  @Test
  void onlyThePortsAPersonNeedsArePublishedOnLoopback() {
    assertThat(text.lines().filter(l -> l.contains("ports:")).toList())
        .allSatisfy(l -> assertThat(l).contains("\"127.0.0.1:"))
        .hasSize(7);
  }
}
