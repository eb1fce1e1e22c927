package io.redpacket.cluster;

import io.redpacket.kafka.Await;
import io.redpacket.kafka.TopicAdmin;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.ListTopicsOptions;

/**
 * Waits, bounded, until every partition (Kafka's transaction and offset logs among them) has all its replicas in
 * sync. A broker started again answers before it has caught up; until it has, writes with acks=all wait for it, and
 * a next failure would be measured on a cluster still recovering from the last one. Past the bound it says so and
 * goes on: the replicas' lag is Kafka's to resolve, not a reason to stop a drill.
 */
final class ReplicaSync {
  private ReplicaSync() {}

  /** @return the partitions that were not in sync when the wait began */
  static int await(String bootstrap, Duration bound, PrintStream out, Consumer<String> incident) {
    int[] behind = {-1};
    try (var admin = TopicAdmin.admin(bootstrap)) {
      Await.until("every partition's replicas in sync", bound, () -> {
        var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(10, TimeUnit.SECONDS);
        int notInSync = 0;
        for (var topic : admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
          for (var p : topic.partitions()) {
            if (p.isr().size() < p.replicas().size()) {
              notInSync++;
            }
          }
        }
        if (behind[0] < 0) {
          behind[0] = notInSync;
        }
        return notInSync == 0;
      });
      out.println("  Kafka: every partition's replicas in sync");
    } catch (IllegalStateException e) {
      incident.accept(e.getMessage() + "; going on");
      out.println("  " + e.getMessage() + "; going on");
    }
    return Math.max(0, behind[0]);
  }
}
