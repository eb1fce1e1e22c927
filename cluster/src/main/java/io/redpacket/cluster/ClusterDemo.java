package io.redpacket.cluster;

import io.redpacket.codec.Topics;
import io.redpacket.kafka.TopicAdmin;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The demo's wave on the running cluster: its own topics (a fresh prefix, so its audit sees only this
 * wave) and its own deployment of the three jobs with the demo's expiries, submitted from the shaded
 * jar through the REST API like any other. Cancelled when the demo ends; the cluster stays up.
 */
public final class ClusterDemo implements DemoStack {
  public final Cluster cluster;
  public final Deployment jobs;
  private final String prefix;
  private final boolean keep;
  private volatile boolean clean;

  private ClusterDemo(Cluster cluster, Deployment jobs, String prefix, boolean keep) {
    this.cluster = cluster;
    this.jobs = jobs;
    this.prefix = prefix;
    this.keep = keep;
  }

  /**
   * @param slotsNeeded slots the demo will use at most (three jobs at the largest parallelism it runs)
   */
  public static ClusterDemo start(Cluster cluster, int parallelism, int slotsNeeded, Duration expiry, Duration shareExpiry,
      boolean keep, PrintStream out) {
    new Deployment(cluster, "demo").cancelAll(out); // what an interrupted or --keep demo left running
    int[] freeNow = {cluster.rest().overview().getInteger("slots-available", 0)};
    if (freeNow[0] < slotsNeeded) {
      // TaskManagers that were restarted (a drill, a crash) may still be registering: wait for them, bounded.
      out.printf("waiting up to 2 min for %d free task slots (%d now) ...%n", slotsNeeded, freeNow[0]);
      try {
        io.redpacket.kafka.Await.until(slotsNeeded + " free task slots", Duration.ofMinutes(2), () -> {
          freeNow[0] = cluster.rest().overview().getInteger("slots-available", 0);
          return freeNow[0] >= slotsNeeded;
        });
      } catch (RuntimeException stillShort) {
        // answered below
      }
    }
    int free = freeNow[0];
    if (free < slotsNeeded) {
      throw new IllegalArgumentException("the demo needs " + slotsNeeded + " free task slots and the cluster has " + free
          + ": stop the cluster's own jobs (./redpacket jobs stop), or recreate it with more (cluster down, then"
          + " cluster up --slots N)");
    }
    String prefix = "demo-" + System.currentTimeMillis() / 1000 + ".";
    TopicAdmin.ensure(cluster.bootstrap(), Topics.ALL.stream().map(t -> Topics.named(prefix, t)).toList(),
        Topics.COMPACTED.stream().map(t -> Topics.named(prefix, t)).toList(), cluster.settings.partitions());
    out.printf("demo on the cluster: topics %s* (%d partitions, replication %d); submitting its three jobs ...%n",
        prefix, cluster.settings.partitions(), Cluster.BROKERS);
    Deployment jobs = new Deployment(cluster, "demo");
    try {
      jobs.submitAndAwait(PipelineJobs.defaultJar(), PipelineJobs.pipeline(cluster.bootstrap(), prefix, expiry, shareExpiry),
          parallelism, Duration.ofMinutes(3), out);
    } catch (RuntimeException e) {
      jobs.cancelAll(out);
      throw e;
    }
    out.println("  the demo's jobs run and have completed a checkpoint");
    return new ClusterDemo(cluster, jobs, prefix, keep);
  }

  @Override
  public String bootstrap() {
    return cluster.bootstrap();
  }

  @Override
  public String topicPrefix() {
    return prefix;
  }

  @Override
  public String webUi() {
    return cluster.restUrl();
  }

  /** Cancels the demo's jobs (before the calm run, which needs their slots, and at the end). */
  public void cancelJobs() {
    jobs.cancelAll(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
  }

  /** The run audited clean: its topics go when it closes. A failed run's stay, to be looked at. */
  public void auditedClean() {
    clean = true;
  }

  @Override
  public void close() {
    if (keep) {
      return;
    }
    cancelJobs();
    if (clean) {
      deleteTopics(cluster.bootstrap(), prefix, System.out);
    } else {
      System.out.printf("the demo's topics %s* are kept to look into; cluster down deletes them%n", prefix);
    }
  }

  /** Deletes every topic of a run's prefix; a failure is printed, not thrown: the cluster is reset by cluster down. */
  static void deleteTopics(String bootstrap, String prefix, PrintStream out) {
    try {
      TopicAdmin.delete(bootstrap, Topics.ALL.stream().map(t -> Topics.named(prefix, t)).toList());
    } catch (RuntimeException e) {
      out.println("could not delete the topics " + prefix + "*: " + e.getMessage());
    }
  }
}
