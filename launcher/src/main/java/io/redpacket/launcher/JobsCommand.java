package io.redpacket.launcher;

import io.redpacket.cluster.Checks;
import io.redpacket.cluster.Cluster;
import io.redpacket.cluster.Deployment;
import io.redpacket.cluster.PipelineJobs;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "jobs", mixinStandardHelpOptions = true, description = "The three jobs on the cluster: list, savepoint, stop with savepoints, resume"
    + " at another parallelism.", subcommands = {JobsCommand.List.class, JobsCommand.Savepoint.class,
        JobsCommand.Stop.class, JobsCommand.Resume.class})
final class JobsCommand {

  static void printJobs(Deployment jobs, Cluster cluster) {
    System.out.printf("%-22s %-34s %-12s %s%n", "job", "id", "state", "completed checkpoints");
    for (var e : jobs.current().entrySet()) {
      String checkpoints = "-";
      if (e.getValue().running()) {
        try {
          checkpoints = String.valueOf(cluster.rest().completedCheckpoints(e.getValue().id()));
        } catch (RuntimeException ignored) {
          // not yet
        }
      }
      System.out.printf("%-22s %-34s %-12s %s%n", e.getKey(), e.getValue().id(), e.getValue().state(), checkpoints);
    }
    if (jobs.parallelism() > 0) {
      System.out.println("submitted at parallelism " + jobs.parallelism());
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Each job, its state and checkpoints.")
  static final class List extends ClusterCommand.OnCluster {
    @Override
    int run(Cluster cluster) {
      printJobs(new Deployment(cluster), cluster);
      return 0;
    }
  }

  @Command(name = "savepoint", mixinStandardHelpOptions = true, description = "Take a savepoint of each job; they go on"
      + " (a copy of the state, e.g. for a test cluster: flink run -s <path>; jobs resume uses the savepoints of jobs stop).")
  static final class Savepoint extends ClusterCommand.OnCluster {
    @Override
    int run(Cluster cluster) {
      new Deployment(cluster).savepoint(System.out);
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop each job with a savepoint (kept in"
      + " jobs.json), e.g. before an upgrade or to rescale. Shakes keep arriving in Kafka meanwhile.")
  static final class Stop extends ClusterCommand.OnCluster {
    @Override
    int run(Cluster cluster) {
      new Deployment(cluster).stop(System.out);
      System.out.println("resume with ./redpacket jobs resume --parallelism N");
      return 0;
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Run each job again at --parallelism from"
      + " where its last run ended: the savepoint of jobs stop, or after a crash its newest retained checkpoint; with the"
      + " jar given when it was submitted (rebuild it first to upgrade).")
  static final class Resume extends ClusterCommand.OnCluster {
    @Option(names = "--parallelism", required = true, description = "parallelism of each job (1 to 128)")
    int parallelism;

    @Override
    public Integer call() {
      Checks.range("--parallelism", parallelism, 1, 128); // before the cluster is looked for
      return super.call();
    }

    @Override
    int run(Cluster cluster) {
      int slots = cluster.settings.taskManagers() * cluster.settings.slots();
      if (PipelineJobs.slotsFor(parallelism) > slots) {
        throw new IllegalArgumentException("three jobs at parallelism " + parallelism + " and the audit need " + PipelineJobs.slotsFor(parallelism)
            + " slots; the cluster has " + slots + ": recreate it with more (cluster down, then cluster up --slots N)");
      }
      Deployment jobs = new Deployment(cluster);
      jobs.resume(parallelism, System.out);
      jobs.awaitCheckpointed(java.util.Map.of(), Duration.ofMinutes(3));
      System.out.println("every job runs at parallelism " + parallelism + " and has completed a checkpoint");
      return 0;
    }
  }
}
