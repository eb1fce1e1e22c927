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
  void keepsTheMoneyHistoryForeverAndOtherTopicsByTheBrokerDefault() throws Exception {
    Path dir = Files.createTempDirectory("local-kafka-test");
    try (LocalKafka kafka = LocalKafka.start(dir, false)) {
      List<String> topics = List.of("c1-ledger", "c1-share-grants", "c1-opens", "c1-shakes", "c1-shake-outcomes",
          "c1-open-results", "c1-wallets");
      TopicAdmin.ensure(kafka.bootstrapServers(), topics, List.of("c1-wallets"), 1);
      try (Admin admin = TopicAdmin.admin(kafka.bootstrapServers())) {
        for (String kept : List.of("c1-ledger", "c1-share-grants", "c1-opens", "c1-shakes")) {
          assertThat(config(admin, kept, "retention.ms")).as(kept).isEqualTo("-1");
          assertThat(config(admin, kept, "retention.bytes")).as(kept).isEqualTo("-1");
          assertThat(config(admin, kept, "cleanup.policy")).as(kept).isEqualTo("delete");
        }
        for (String answers : List.of("c1-shake-outcomes", "c1-open-results")) {
          assertThat(config(admin, answers, "retention.ms")).as(answers).isNotEqualTo("-1");
        }
        assertThat(config(admin, "c1-wallets", "cleanup.policy")).isEqualTo("compact");
      }
    }
  }

  private static String config(Admin admin, String topic, String key) throws Exception {
    ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(res)).all().get(30, TimeUnit.SECONDS).get(res).get(key).value();
  }

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
