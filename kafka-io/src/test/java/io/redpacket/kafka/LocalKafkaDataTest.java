package io.redpacket.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.stack.KafkaNode;
import io.redpacket.stack.LocalKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * Where a local broker's data comes from. A demo run after one kept with {@code --keep} (or one killed before it could
 * delete its data) started its jobs afresh on the topics left behind: they read the earlier wave again, decided its
 * 7,665 grants a second time and the audit failed ("grant ids are unique").
 */
class LocalKafkaDataTest {

  @Test
  void aBrokerWhoseDataIsNotKeptStartsEmptyOnWhatAnEarlierRunLeft() throws Exception {
    Path dir = Files.createTempDirectory("local-kafka-left");
    try (LocalKafka earlier = LocalKafka.start(dir, true)) {
      TopicAdmin.ensure(earlier.bootstrapServers(), List.of("left-shakes"), List.of(), 1);
    }
    assertThat(dir.resolve("kraft-logs")).exists();
    try (LocalKafka fresh = LocalKafka.start(dir, false); Admin admin = TopicAdmin.admin(fresh.bootstrapServers())) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("left-shakes");
    }
    assertThat(dir).doesNotExist();
  }

  @Test
  void theDataOfARunningBrokerIsNeitherDeletedNorSharedWithASecond() throws Exception {
    Path dir = Files.createTempDirectory("local-kafka-busy");
    try (LocalKafka running = LocalKafka.start(dir, false)) {
      TopicAdmin.ensure(running.bootstrapServers(), List.of("busy-shakes"), List.of(), 1);
      assertThat(KafkaNode.inUse(dir)).isTrue();
      for (boolean keep : new boolean[] {false, true}) {
        assertThatThrownBy(() -> LocalKafka.start(dir, keep)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("already running on the data in " + dir).hasMessageContaining("--data-dir");
      }
      try (Admin admin = TopicAdmin.admin(running.bootstrapServers())) {
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("busy-shakes");
      }
    }
    assertThat(KafkaNode.inUse(dir)).isFalse();
  }
}
