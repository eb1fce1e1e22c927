package io.redpacket.cluster;

import io.redpacket.kafka.Await;
import io.redpacket.kafka.TopicAdmin;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The bounded waits of {@link Cluster}: until the brokers answer, until every partition's replicas are in sync,
 * and until the JobManager answers with its TaskManagers registered, starting again, as a process supervisor
 * would, a Flink process that dies meanwhile. Each such restart and its cause is kept as an incident.
 */
final class ClusterWaits {
  /**
   * How long a process may take to start and answer: about 5 s on a quiet 2-core machine, but a broker
   * restarted after kill -9 recovers its logs first, and on a loaded machine that took 2.5 minutes.
   */
  private static final Duration START_BOUND = Duration.ofMinutes(4);
  private static final Duration IN_SYNC_BOUND = Duration.ofMinutes(2);
  private static final Duration RELAUNCH_PAUSE = Duration.ofSeconds(2);

  private final Cluster cluster;
  private final Map<String, Integer> relaunches = new ConcurrentHashMap<>();
  private final Queue<String> incidents = new ConcurrentLinkedQueue<>();

  ClusterWaits(Cluster cluster) {
    this.cluster = cluster;
  }

  void kafka(PrintStream out) {
    Await.until("three Kafka brokers in the cluster", START_BOUND, () -> {
      for (int n = 1; n <= Cluster.BROKERS; n++) {
        String broker = "kafka-" + n;
        if (cluster.process(broker).isEmpty()) {
          throw new Await.Abort(ProcessLogs.ended(broker + " exited while starting",
              cluster.dir(broker).resolve("logs/server.log"), null));
        }
      }
      try (var admin = TopicAdmin.admin(cluster.bootstrap())) {
        return admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size() == Cluster.BROKERS;
      } catch (Exception notYet) {
        return false;
      }
    });
    out.println("  Kafka: " + Cluster.BROKERS + " brokers answer on " + cluster.bootstrap());
  }

  /** @return the partitions whose replicas were not in sync when the wait began */
  int replicasInSync(PrintStream out) {
    return ReplicaSync.await(cluster.bootstrap(), IN_SYNC_BOUND, out, incidents::add);
  }

  /**
   * Waits until the JobManager answers with {@code taskManagers} registered. A Flink process that exits
   * meanwhile is started again at most {@link Cluster#RELAUNCHES} times per component in this JVM (a
   * TaskManager restarted on CI's loaded machine once died in its RPC system's start-up, and the drill failed
   * on it).
   */
  void flink(PrintStream out, int taskManagers) {
    FlinkRest rest = cluster.rest();
    Await.until("the JobManager and " + taskManagers + " TaskManagers", START_BOUND, () -> {
      for (String c : cluster.components()) {
        if (!c.startsWith("kafka-") && cluster.process(c).isEmpty()) {
          String why = flinkEnded(c, " exited while starting");
          if (relaunches.merge(c, 1, Integer::sum) > Cluster.RELAUNCHES) {
            throw new Await.Abort(why + "\n(started again " + Cluster.RELAUNCHES + " times already; giving up)");
          }
          incident(out, why + "\n  starting " + c + " again");
          Thread.sleep(RELAUNCH_PAUSE.toMillis()); // a passing cause (a port not yet free) gets time to pass
          cluster.launchFlink(c);
        }
      }
      return rest.taskManagers() >= taskManagers;
    });
    out.println("  Flink: JobManager on " + cluster.restUrl() + ", " + taskManagers + " TaskManagers registered");
  }

  /** Says what happened, and keeps it for {@link #take}. */
  void incident(PrintStream out, String what) {
    incidents.add(what);
    out.println("  " + what);
  }

  List<String> take() {
    List<String> taken = new ArrayList<>();
    for (String s; (s = incidents.poll()) != null; ) {
      taken.add(s);
    }
    return taken;
  }

  /** A Flink process's end, from its log and what its JVM printed. */
  String flinkEnded(String c, String what) {
    Path log = cluster.dir(c).resolve("log");
    return ProcessLogs.ended(c + what, log.resolve(c + ".log"), log.resolve(c + ".out"));
  }
}
