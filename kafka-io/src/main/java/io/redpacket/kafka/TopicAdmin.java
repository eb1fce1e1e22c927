package io.redpacket.kafka;

import io.redpacket.codec.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
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
      awaitWritable(admin, create.stream().map(NewTopic::name).toList());
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topics " + topics + " on " + bootstrap + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns once the leader of every partition of {@code topics} answers for it. A topic exists for the controller
   * before its leaders have opened its partitions; an idempotent producer writing in that moment gets its first
   * request refused while a later one is appended, and the first then fails as out of sequence on every retry until
   * its delivery timeout drops it (KAFKA-15591, fixed in brokers from 4.5). Listing the partitions' offsets is
   * answered by the leader's own replica, as a write is.
   */
  static void awaitWritable(Admin admin, Collection<String> topics) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        // Right after the creation the broker may not know the topics yet, or not lead their partitions: both
        // are retriable, and the admin client retries a listing up to its own timeout too.
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) -> d.partitions()
            .forEach(p -> partitions.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        admin.listOffsets(partitions).all().get(30, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
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
