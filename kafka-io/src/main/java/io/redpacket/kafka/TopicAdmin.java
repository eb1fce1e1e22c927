package io.redpacket.kafka;

import io.redpacket.codec.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the pipeline's topics with the admin client: compacted ones get cleanup.policy=compact, and the money's
 * history ({@link Topics#KEPT}) is kept forever (no deletion by age or size). Topics that exist are left as they are.
 */
public final class TopicAdmin {
  private TopicAdmin() {}

  /**
   * Creates each topic that does not exist yet.
   *
   * @param compacted the names among {@code topics} to create compacted
   */
  public static void ensure(String bootstrap, Collection<String> topics, Collection<String> compacted, int partitions) {
    try (Admin admin = admin(bootstrap)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> create = new ArrayList<>();
      for (String t : topics) {
        if (!existing.contains(t)) {
          // The brokers' default.replication.factor: 1 for the single local broker, 3 for `./redpacket cluster`.
          NewTopic nt = new NewTopic(t, java.util.Optional.of(partitions), java.util.Optional.empty());
          if (compacted.contains(t)) {
            nt.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1", TopicConfig.SEGMENT_MS_CONFIG, "60000"));
          } else if (Topics.KEPT.contains(Topics.base(t))) {
            nt.configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1"));
          }
          create.add(nt);
        }
      }
      if (create.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(create).all().get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topics " + topics + " on " + bootstrap + ": " + e.getMessage(), e);
    }
  }

  public static void delete(String bootstrap, Collection<String> topics) {
    try (Admin admin = admin(bootstrap)) {
      admin.deleteTopics(topics).all().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot delete topics " + topics + ": " + e.getMessage(), e);
    }
  }

  public static Admin admin(String bootstrap) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
  }
}
