package io.redpacket.cluster;

import io.redpacket.codec.Topics;
import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.jobs.audit.AuditJob;
import io.redpacket.jobs.common.JobArgs;
import io.redpacket.jobs.settlement.SettlementJob;
import io.redpacket.jobs.sharing.SharingJob;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.stack.KafkaNode;
import io.redpacket.stack.LocalKafka;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** The whole local pipeline: a real broker, the topics, and the allocation, settlement and sharing jobs on one MiniCluster. */
public final class LocalStack implements DemoStack {
  public final LocalKafka kafka;
  public final LocalFlink flink;
  private final Path dataDir;
  private final boolean keepData;
  private boolean closed;

  private LocalStack(LocalKafka kafka, LocalFlink flink, Path dataDir, boolean keepData) {
    this.kafka = kafka;
    this.flink = flink;
    this.dataDir = dataDir;
    this.keepData = keepData;
    // Ctrl-C or kill: stop the job and the broker, and delete what is not to be kept.
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "stop-local-stack"));
  }

  public static LocalStack start(Path dataDir, boolean keepData, int partitions, int parallelism, int uiPort,
      Duration checkpointInterval, Duration expiry, Duration shareExpiry, PrintStream out) throws Exception {
    long t0 = System.nanoTime();
    if (KafkaNode.inUse(dataDir.resolve("kafka"))) {
      throw new IllegalArgumentException("another stack is running on the data in " + dataDir
          + ": stop it first (Ctrl-C where it runs), or give this one another folder with --data-dir");
    }
    if (!keepData) {
      deleteLeftData(dataDir, out);
    }
    out.println("starting Kafka (KRaft, from the Maven jars) in " + dataDir.resolve("kafka") + " ...");
    LocalKafka kafka = LocalKafka.start(dataDir.resolve("kafka"), keepData);
    try {
      TopicAdmin.ensure(kafka.bootstrapServers(), Topics.ALL, Topics.COMPACTED, partitions);
      out.printf("Kafka ready on %s after %.1f s; topics %s (%d partitions)%n", kafka.bootstrapServers(),
          (System.nanoTime() - t0) / 1e9, Topics.ALL, partitions);
      var conf = LocalFlink.configuration(dataDir.resolve("flink"), uiPort, parallelism, checkpointInterval);
      LocalFlink flink = LocalFlink.start(conf, dataDir.resolve("flink"), PipelineJobs.slotsFor(parallelism));
      try {
        // The same jobs and flags as on the cluster. With kept topics, each job goes on from where it
        // stopped instead of reading them again from the start.
        for (PipelineJobs.JobSpec job : PipelineJobs.pipeline(kafka.bootstrapServers(), "", expiry, shareExpiry)) {
          String[] args = job.args().toArray(String[]::new);
          switch (job.name()) {
            case AllocationJob.NAME -> flink.submit(job.name(),
                env -> AllocationJob.build(env, new JobArgs(args, AllocationJob.FLAGS)), keepData, out);
            case SettlementJob.NAME -> flink.submit(job.name(),
                env -> SettlementJob.build(env, new JobArgs(args, SettlementJob.FLAGS)), keepData, out);
            case SharingJob.NAME -> flink.submit(job.name(),
                env -> SharingJob.build(env, new JobArgs(args, SharingJob.FLAGS)), keepData, out);
            case AuditJob.NAME -> flink.submit(job.name(),
                env -> AuditJob.build(env, new JobArgs(args, AuditJob.FLAGS)), keepData, out);
            default -> throw new IllegalStateException("no local topology for " + job.name());
          }
        }
      } catch (Exception e) {
        flink.close();
        throw e;
      }
      out.printf("allocation, settlement and sharing jobs running at parallelism %d, the continuous audit at 1 (unopened grants expire after %d s,"
          + " shares after %d s); Flink web UI %s%n", parallelism, expiry.toSeconds(), shareExpiry.toSeconds(), flink.webUi());
      return new LocalStack(kafka, flink, dataDir, keepData);
    } catch (Exception e) {
      kafka.close();
      throw e;
    }
  }

  /**
   * Deletes the stack's data an earlier run left in {@code dataDir}: kept with --keep / --keep-data, or left by a run
   * killed before it could clean up. Read again by jobs starting afresh, its topics would be counted twice (a grant
   * decided twice fails the audit). Only the stack's own folders go: --data-dir may name a folder that holds other
   * things too.
   */
  static void deleteLeftData(Path dataDir, PrintStream out) {
    List<Path> left = Stream.of(dataDir.resolve("kafka"), dataDir.resolve("flink")).filter(Files::exists).toList();
    if (!left.isEmpty()) {
      out.println("starting afresh: deleting the data an earlier run left in " + dataDir
          + " (kept, or not cleaned up when it was stopped)");
      left.forEach(LocalKafka::deleteRecursively);
    }
  }

  @Override
  public String bootstrap() {
    return kafka.bootstrapServers();
  }

  @Override
  public String topicPrefix() {
    return "";
  }

  @Override
  public String webUi() {
    return flink.webUi();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    flink.close();
    kafka.close();
    if (!keepData) {
      LocalKafka.deleteRecursively(dataDir.resolve("flink"));
    }
  }
}
