package io.redpacket.launcher;

import io.redpacket.cluster.Checks;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Where the demo's wave runs when not on the embedded stack, and the drill it plays there. */
final class DemoClusterOptions {
  @Option(names = "--cluster", description = "run the wave on ./redpacket cluster (started with cluster up) instead of"
      + " the embedded stack: its own topics and its own deployment of the three jobs, cancelled at the end")
  boolean onCluster;

  @Option(names = "--cluster-dir", defaultValue = ".redpacket/cluster", description = "with --cluster: the cluster's"
      + " folder (default: ${DEFAULT-VALUE})")
  Path clusterDir;

  @Option(names = "--chaos", description = "with --cluster: during the wave kill -9 a TaskManager twice, a Kafka"
      + " broker and the JobManager once, bringing each back (the jobs resumed from their retained checkpoints after the"
      + " JobManager); print how long each recovery took (recovery <process> <seconds> s) and the records it held up"
      + " more than 5 s; then check that the grants equal a calm run's on the same input")
  boolean chaos;

  @Option(names = "--rescale", split = ",", paramLabel = "P", description = "with --cluster: during the wave stop the"
      + " jobs with savepoints and resume them at each parallelism in turn, e.g. --rescale 4,2; then compare with a calm run")
  List<Integer> rescale;

  void check() {
    if ((chaos || rescale != null) && !onCluster) {
      throw new IllegalArgumentException("--chaos and --rescale work on the cluster: add --cluster (after ./redpacket cluster up)");
    }
    if (chaos && rescale != null) {
      throw new IllegalArgumentException("--chaos and --rescale are two drills: run one at a time");
    }
    if (rescale != null) {
      for (int p : rescale) {
        Checks.range("--rescale", p, 1, 128);
      }
    }
  }

  /** The widest parallelism a rescale drill asks for; 0 without one. */
  int widestParallelism() {
    return rescale == null ? 0 : rescale.stream().mapToInt(Integer::intValue).max().orElse(0);
  }
}
