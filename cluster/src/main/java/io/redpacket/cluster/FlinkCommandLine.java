package io.redpacket.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * The command lines of a cluster's Flink processes and their logging configuration: the part of
 * Flink's start scripts the cluster needs, kept apart from starting and finding the processes.
 */
final class FlinkCommandLine {
  private final Cluster cluster;

  FlinkCommandLine(Cluster cluster) {
    this.cluster = cluster;
  }

  /**
   * The JobManager's or a TaskManager's command line, as Flink's own start scripts build it: the
   * configuration from {@code flink-conf/}, the JVM memory flags Flink derives from it, the JVM
   * options it names ({@code env.java.opts.all}), and this cluster's folders and ports as dynamic
   * properties.
   */
  List<String> command(String name) {
    Path dir = cluster.dir(name);
    boolean jm = name.equals("jobmanager");
    Map<String, String> dynamic = new LinkedHashMap<>();
    dynamic.put("rest.port", String.valueOf(cluster.settings.restPort()));
    dynamic.put("execution.checkpointing.dir", cluster.root.resolve("flink/checkpoints").toUri().toString());
    dynamic.put("execution.checkpointing.savepoint-dir", cluster.root.resolve("flink/savepoints").toUri().toString());
    dynamic.put("io.tmp.dirs", dir.resolve("tmp").toString());
    dynamic.put("taskmanager.numberOfTaskSlots", String.valueOf(cluster.settings.slots()));
    if (jm) {
      dynamic.put("blob.storage.directory", dir.resolve("blobs").toString());
      dynamic.put("web.upload.dir", dir.resolve("uploads").toString());
    } else {
      // No blob.storage.directory: a TaskManager then keeps the jobs' jars in its working directory, which
      // outlives a kill (its resource id is fixed), so a TaskManager started again does not fetch them again.
      dynamic.put("taskmanager.resource-id", name);
      dynamic.put("process.taskmanager.working-dir", dir.resolve("work").toString());
    }
    try {
      Files.createDirectories(dir.resolve("tmp"));
      Files.createDirectories(cluster.root.resolve("flink/checkpoints"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Configuration conf = GlobalConfiguration.loadConfiguration(cluster.flinkConf.toString(), Configuration.fromMap(dynamic));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(Cluster.MARKER + dir);
    List<String> extra = new ArrayList<>();
    if (jm) {
      JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(conf);
      cmd.addAll(split(JobManagerProcessUtils.generateJvmParametersStr(spec, conf)));
      cmd.addAll(split(conf.get(CoreOptions.FLINK_JM_JVM_OPTIONS)));
      extra.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
    } else {
      TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
      cmd.addAll(split(ProcessMemoryUtils.generateJvmParametersStr(spec)));
      cmd.addAll(split(conf.get(CoreOptions.FLINK_TM_JVM_OPTIONS)));
      extra.addAll(split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
    }
    cmd.addAll(split(conf.get(CoreOptions.FLINK_JVM_OPTIONS)));
    cmd.add("-Dlog.file=" + dir.resolve("log/" + name + ".log"));
    cmd.add("-Dlog4j.configurationFile=" + logConfig().toUri());
    cmd.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
    cmd.add("-cp");
    cmd.add(flinkClasspath());
    cmd.add(jm ? "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"
        : "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
    cmd.add("--configDir");
    cmd.add(cluster.flinkConf.toString());
    dynamic.forEach((k, v) -> {
      cmd.add("-D");
      cmd.add(k + "=" + v);
    });
    cmd.addAll(extra);
    return cmd;
  }

  private static List<String> split(String s) {
    return s == null || s.isBlank() ? List.of() : Arrays.stream(s.trim().split("\\s+")).toList();
  }

  private Path logConfig() {
    Path file = cluster.root.resolve("flink/log4j.properties");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, String.join("\n",
          "rootLogger.level = INFO",
          "rootLogger.appenderRef.file.ref = MainAppender",
          "appender.main.name = MainAppender",
          "appender.main.type = File",
          "appender.main.append = true",
          "appender.main.fileName = ${sys:log.file}",
          "appender.main.layout.type = PatternLayout",
          "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
          "logger.kafka.name = org.apache.kafka",
          "logger.kafka.level = WARN",
          "logger.pekko.name = org.apache.pekko",
          "logger.pekko.level = WARN",
          ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** The Flink distribution's classpath, resolved from Maven at build time (module flink-cluster). */
  public static String flinkClasspath() {
    try (InputStream in = FlinkCommandLine.class.getResourceAsStream("/redpacket/flink.classpath")) {
      if (in == null) {
        throw new IllegalStateException("redpacket/flink.classpath is missing: build with ./mvnw install first");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
