package io.redpacket.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.stack.LocalKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class TopicAdminTest {

  @Test
  void startsARealBrokerCreatesCompactedTopicsAndKeepsDataAcrossRestarts() throws Exception {
    Path dir = Files.createTempDirectory("local-kafka-test");
    try (LocalKafka kafka = LocalKafka.start(dir, false)) {
      TopicAdmin.ensure(kafka.bootstrapServers(), List.of("t-pools", "t-shakes"), List.of("t-pools"), 3);
      try (Admin admin = TopicAdmin.admin(kafka.bootstrapServers())) {
        var desc = admin.describeTopics(List.of("t-shakes")).allTopicNames().get(30, TimeUnit.SECONDS);
        assertThat(desc.get("t-shakes").partitions()).hasSize(3);
        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, "t-pools");
        ConfigEntry policy = admin.describeConfigs(List.of(res)).all().get(30, TimeUnit.SECONDS).get(res)
            .get("cleanup.policy");
        assertThat(policy.value()).isEqualTo("compact");
      }
      kafka.stop();
      assertThat(kafka.isRunning()).isFalse();
      kafka.restart();
      try (Admin admin = TopicAdmin.admin(kafka.bootstrapServers())) {
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("t-pools", "t-shakes");
      }
    }
    assertThat(dir).doesNotExist();
  }
}
