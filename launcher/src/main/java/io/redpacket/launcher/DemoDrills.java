package io.redpacket.launcher;

import io.redpacket.cluster.CalmRun;
import io.redpacket.cluster.ClusterDemo;
import io.redpacket.cluster.DemoStack;
import io.redpacket.cluster.Drill;
import io.redpacket.cluster.Recovery;
import io.redpacket.simulator.SlowRecords;
import java.time.Duration;
import java.util.Map;

/**
 * The demo's drills on the cluster ({@code --chaos}, {@code --rescale}): started with the wave, waited
 * for, then judged: each kill's recovery and the records it held up, and the grants against a calm run
 * on the same input.
 */
final class DemoDrills {
  private final DemoClusterOptions cluster;
  private final int parallelism;
  /** What the simulated clients waited, for the records held up by each recovery of a drill. */
  final SlowRecords waits = new SlowRecords();

  DemoDrills(DemoClusterOptions cluster, int parallelism) {
    this.cluster = cluster;
    this.parallelism = parallelism;
  }

  /** The chaos or rescale drill on the cluster, started as the wave starts; null when none was asked for. */
  Drill start(DemoStack stack) {
    if (!(stack instanceof ClusterDemo c) || (!cluster.chaos && cluster.rescale == null)) {
      return null;
    }
    Drill d = cluster.chaos ? Drill.chaos(c.cluster, c.jobs, Duration.ofSeconds(5), System.out)
        : Drill.rescale(c.cluster, c.jobs, cluster.rescale, Duration.ofSeconds(5), System.out);
    System.out.println(cluster.chaos ? "drill: kill -9 the busiest TaskManager, kafka-2, the busiest TaskManager again,"
        + " the JobManager, each brought back (the jobs resumed from their checkpoints after the JobManager),"
        + " one at a time while the wave runs" : "drill: stop with savepoints and resume at parallelism " + cluster.rescale + " while the wave runs");
    return d.start();
  }


  /** Waits for the drill, if any; false if it failed or overran. */
  static boolean done(Drill drill) throws InterruptedException {
    if (drill == null) {
      return true;
    }
    System.out.println("wave sent; waiting for the drill to finish ...");
    if (!drill.await(Duration.ofMinutes(12))) {
      return false;
    }
    System.out.println("drill done: " + String.join(", ", drill.done()));
    return true;
  }


  /**
   * After a chaos drill, for each kill: the records that waited more than 5 s while its recovery was under
   * way, then one line {@code recovery <process> <seconds> s} per kill (the demo's last lines).
   */
  void printRecoveries(Drill drill) {
    if (drill == null || drill.recoveries().isEmpty()) {
      return;
    }
    System.out.printf("records that waited more than %d s on the client side and were waiting while a recovery was under"
        + " way (from the kill to the last job's first checkpoint; shakes: time stamp to outcome committed, opens: sent"
        + " to credit seen, claims: sent to answer; of %s in the wave):%n", SlowRecords.BOUND_MILLIS / 1000, waits.counts());
    for (Recovery.Result r : drill.recoveries()) {
      Map<String, Long> slow = waits.waitingDuring(r.killMillis(), r.recoveredMillis(), "shakes", "opens", "claims");
      System.out.printf("  kill -9 %-13s %5.1f s: %s%n", r.process(), r.recovered(), slow);
    }
    drill.recoveries().forEach(r -> System.out.println(r.line()));
  }

  /** After a drill: the grants must equal those of an undisturbed run on the same input. */
  boolean sameAsCalmRun(ClusterDemo stack, Drill drill) throws Exception {
    stack.cancelJobs(); // done; the calm run needs their slots
    CalmRun.Result calm = CalmRun.compare(stack.cluster, stack.topicPrefix(), parallelism, System.out);
    if (calm.equal()) {
      System.out.printf("GRANTS EQUAL: the %,d grants of this wave (%s) are byte for byte those of the calm run"
          + " on the same input%n", calm.grants(), String.join(", ", drill.done()));
      return true;
    }
    System.out.printf("GRANTS DIFFER from the calm run: %,d here, %,d there; first differing ids %s%n",
        calm.grants(), calm.calmGrants(), calm.differences());
    return false;
  }
}
