package io.redpacket.launcher;

import java.time.Duration;
import java.util.List;

/**
 * ComposeFileTest, kept by the ingest work, still names Cluster and Deployment as classes of this
 * package; these forward to module cluster until it imports io.redpacket.cluster.
 */
final class MovedToCluster {
  private MovedToCluster() {}
}

final class Cluster {
  static final int BROKERS = io.redpacket.cluster.Cluster.BROKERS;

  private Cluster() {}
}

final class Deployment {
  private Deployment() {}

  record JobSpec(String name, String entryClass, List<String> args) {}

  static List<JobSpec> pipeline(String bootstrap, String topicPrefix, Duration expiry, Duration shareExpiry) {
    return io.redpacket.cluster.Deployment.pipeline(bootstrap, topicPrefix, expiry, shareExpiry).stream()
        .map(j -> new JobSpec(j.name(), j.entryClass(), j.args())).toList();
  }
}
