package io.redpacket.launcher;

import io.redpacket.cluster.Cluster;
import io.redpacket.cluster.ClusterSettings;
import io.redpacket.cluster.Deployment;
import io.redpacket.cluster.PipelineJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "cluster", mixinStandardHelpOptions = true, description = "The pipeline on separate processes: three Kafka brokers and a Flink standalone"
    + " session cluster (a JobManager and TaskManagers), started from the Maven jars, no Docker.",
    subcommands = {ClusterCommand.Up.class, ClusterCommand.Down.class, ClusterCommand.Status.class, ClusterCommand.Kill.class})
final class ClusterCommand {

  /** Where the cluster lives and which Flink configuration and jobs' jar it uses. */
  static final class Where {
    @Option(names = "--data-dir", defaultValue = ".redpacket/cluster", description = "the cluster's folders, logs and state"
        + " (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--flink-conf", description = "folder with Flink's config.yaml (default: flink-conf/ of this checkout)")
    Path flinkConf;

    Path flinkConf() {
      Path conf = flinkConf != null ? flinkConf : PipelineJobs.home().resolve("flink-conf");
      if (!java.nio.file.Files.isRegularFile(conf.resolve("config.yaml"))) {
        throw new IllegalArgumentException("no config.yaml in " + conf.toAbsolutePath() + ": pass --flink-conf <folder>");
      }
      return conf;
    }

    /** The cluster in --data-dir, with the Flink configuration it was started with unless --flink-conf is given. */
    Cluster open() {
      return Cluster.open(dataDir, flinkConf == null ? null : flinkConf());
    }
  }

  /** A command on the cluster that `cluster up` started: --data-dir and --flink-conf say which. */
  abstract static class OnCluster implements Callable<Integer> {
    @Mixin
    Where where;

    @Override
    public Integer call() {
      return run(where.open());
    }

    abstract int run(Cluster cluster);
  }

  @Command(name = "up", mixinStandardHelpOptions = true, description = "Start three Kafka brokers (replication 3,"
      + " min.insync.replicas 2), create the topics, start a Flink JobManager and TaskManagers as separate JVMs reading"
      + " flink-conf/config.yaml, and submit the three jobs' shaded jar through Flink's REST API. Starts only what is"
      + " not running, so it also brings back a killed process. Returns once all of it answers.")
  static final class Up implements Callable<Integer> {
    @Mixin
    Where where;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--kafka-port", defaultValue = "19092", description = "first broker's port; the others follow,"
        + " controllers at +100 (default: ${DEFAULT-VALUE})")
    int kafkaPort;

    @Option(names = "--rest-port", defaultValue = "8081", description = "Flink REST API and web UI (default: ${DEFAULT-VALUE})")
    int restPort;

    @Option(names = "--taskmanagers", defaultValue = "2", description = "TaskManager processes (default: ${DEFAULT-VALUE})")
    int taskManagers;

    @Option(names = "--slots", defaultValue = "7", description = "task slots per TaskManager; three jobs at parallelism p"
        + " and the audit need 3p + 1, and when one TaskManager can hold them all, the jobs restart at once on it when"
        + " another dies (default: ${DEFAULT-VALUE})")
    int slots;

    @Mixin
    PipelineOptions jobs = PipelineOptions.production();

    @Option(names = "--jar", description = "the jobs' shaded jar (default: jobs/target/redpacket-jobs.jar)")
    Path jar;

    @Option(names = "--no-jobs", description = "start Kafka and Flink only; submit nothing")
    boolean noJobs;

    @Override
    public Integer call() {
      jobs.check();
      int parallelism = jobs.parallelism;
      ClusterSettings asked = new ClusterSettings(kafkaPort, restPort, taskManagers, slots, jobs.partitions);
      boolean exists = java.nio.file.Files.exists(where.dataDir.resolve("cluster.properties"));
      Cluster cluster = exists ? where.open() : Cluster.create(where.dataDir, where.flinkConf(), asked);
      if (exists && !cluster.settings.equals(asked)) {
        var parsed = spec.commandLine().getParseResult();
        for (String flag : java.util.List.of("--kafka-port", "--rest-port", "--taskmanagers", "--slots", "--partitions")) {
          if (parsed.hasMatchedOption(flag)) {
            System.out.println("note: " + flag + " is ignored: the cluster in " + cluster.root + " was created with "
                + cluster.settings.flags() + "; to change it, ./redpacket cluster down (its data goes), then cluster up " + flag);
          }
        }
      }
      if (PipelineJobs.slotsFor(parallelism) > cluster.settings.taskManagers() * cluster.settings.slots()) {
        throw new IllegalArgumentException("three jobs at parallelism " + parallelism + " and the audit need " + PipelineJobs.slotsFor(parallelism)
            + " slots; the cluster has " + cluster.settings.taskManagers() * cluster.settings.slots()
            + (exists ? ": recreate it with more (cluster down, then cluster up --slots N)" : ": raise --slots"));
      }
      System.out.println("cluster in " + cluster.root + " (Flink configuration " + cluster.flinkConf + ")");
      cluster.up(System.out);
      Deployment deployed = new Deployment(cluster);
      boolean running = deployed.current().values().stream().anyMatch(j -> !j.terminal() && !j.state().equals("NOT ON THE CLUSTER"));
      if (!noJobs && !running && deployed.ranBefore()) {
        System.out.println("the jobs that ran here before are not running; resume them from where they ended ("
            + (deployed.stoppedWithSavepoints() ? "the savepoints of jobs stop" : "their savepoints or newest retained checkpoints")
            + "):");
        System.out.println("  ./redpacket jobs resume --parallelism " + Math.max(1, deployed.parallelism()));
      } else if (!noJobs && !running) {
        Path shaded = jar != null ? jar : PipelineJobs.defaultJar();
        System.out.println("submitting the jobs from " + shaded + " through " + cluster.restUrl() + "/jars ...");
        deployed.submit(shaded, PipelineJobs.pipeline(cluster.bootstrap(), "", jobs.expiry(), jobs.shareExpiry()),
            parallelism, System.out);
        deployed.awaitCheckpointed(Map.of(), Duration.ofMinutes(3));
        System.out.println("  every job runs and has completed a checkpoint");
      } else if (running) {
        System.out.println("the jobs are already running (./redpacket jobs list)");
      }
      System.out.println();
      System.out.println("Next:");
      System.out.println("  ./redpacket demo --cluster                  the demo wave on this cluster, audited");
      System.out.println("  ./redpacket jobs list | stop | resume --parallelism 4");
      System.out.println("  ./redpacket cluster status | down");
      System.out.println("  Flink web UI " + cluster.restUrl() + ", Kafka " + cluster.bootstrap());
      return 0;
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop every process of the cluster (TaskManagers,"
      + " JobManager, then the brokers) and delete its data unless --keep-data.")
  static final class Down implements Callable<Integer> {
    @Mixin
    Where where;

    @Option(names = "--keep-data", description = "keep topics, checkpoints and savepoints, to start again with cluster up")
    boolean keepData;

    @Override
    public Integer call() {
      if (!java.nio.file.Files.exists(where.dataDir.resolve("cluster.properties"))) {
        System.out.println("no cluster in " + where.dataDir.toAbsolutePath());
        return 0;
      }
      Cluster cluster = where.open();
      cluster.down(System.out);
      if (!keepData) {
        cluster.deleteData();
        System.out.println("deleted the cluster's data in " + cluster.root);
      } else {
        System.out.println("kept the data in " + cluster.root + "; ./redpacket cluster up starts it again,"
            + " then ./redpacket jobs resume --parallelism N");
      }
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Each process of the cluster and each job.")
  static final class Status extends OnCluster {
    @Override
    int run(Cluster cluster) {
      System.out.printf("%-14s %-9s %s%n", "process", "pid", "state");
      boolean all = true;
      for (var e : cluster.status().entrySet()) {
        boolean up = e.getValue() > 0;
        all &= up;
        System.out.printf("%-14s %-9s %s%n", e.getKey(), up ? e.getValue() : "-", up ? "running" : "DOWN");
      }
      try {
        var overview = cluster.rest().overview();
        System.out.printf("Flink %s: %d TaskManagers, %d of %d slots free%n", cluster.restUrl(),
            overview.getInteger("taskmanagers"), overview.getInteger("slots-available"), overview.getInteger("slots-total"));
        JobsCommand.printJobs(new Deployment(cluster), cluster);
      } catch (RuntimeException e) {
        System.out.println("Flink: " + e.getMessage());
        all = false;
      }
      System.out.println("Kafka " + cluster.bootstrap());
      return all ? 0 : 3;
    }
  }

  @Command(name = "kill", mixinStandardHelpOptions = true, description = "kill -9 one process of the cluster, as a failing"
      + " machine would (for failure drills); ./redpacket cluster up brings it back.")
  static final class Kill extends OnCluster {
    @picocli.CommandLine.Parameters(paramLabel = "PROCESS", description = "kafka-1..3, jobmanager, taskmanager-1..")
    String component;

    @Override
    int run(Cluster cluster) {
      if (!cluster.components().contains(component)) {
        throw new IllegalArgumentException("no process " + component + "; the cluster has " + cluster.components());
      }
      System.out.println(cluster.kill(component) ? "killed " + component : component + " was not running");
      return 0;
    }
  }
}
