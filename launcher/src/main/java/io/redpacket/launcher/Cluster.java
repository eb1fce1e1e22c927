package io.redpacket.launcher;

import io.redpacket.codec.Topics;
import io.redpacket.kafka.Await;
import io.redpacket.stack.LocalKafka;
import io.redpacket.kafka.TopicAdmin;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * The pipeline on separate processes on loopback, without Docker: three Kafka nodes (KRaft, each
 * broker and controller, replication 3, min.insync.replicas 2) and a Flink standalone session
 * cluster (a JobManager and TaskManagers, each its own JVM reading {@code flink-conf/config.yaml}),
 * all started from the Maven jars. Every process outlives the command that started it; each is
 * found again by the marker on its command line, so up, down, status and the chaos test work from
 * any later command. {@link #up} starts only what is not running, which is also how a killed
 * process is brought back.
 */
final class Cluster {
  static final int BROKERS = 3;
  static final String MARKER = "-Dredpacket.component=";

  final Path root;
  final Path flinkConf;
  final Settings settings;

  /** What `cluster up` was asked for, kept in {@code cluster.properties} so later commands see the same cluster. */
  record Settings(int kafkaBasePort, int restPort, int taskManagers, int slots, int partitions) {
    Settings {
      Checks.range("--kafka-port", kafkaBasePort, 1024, 65000);
      Checks.range("--rest-port", restPort, 1024, 65535);
      Checks.range("--taskmanagers", taskManagers, 1, 8);
      Checks.range("--slots", slots, 1, 64);
      Checks.range("--partitions", partitions, 1, 256);
    }

    int brokerPort(int node) {
      return kafkaBasePort + node - 1;
    }

    int controllerPort(int node) {
      return kafkaBasePort + 100 + node - 1;
    }

    String bootstrap() {
      List<String> b = new ArrayList<>();
      for (int n = 1; n <= BROKERS; n++) {
        b.add("127.0.0.1:" + brokerPort(n));
      }
      return String.join(",", b);
    }

    /** As the flags of cluster up. */
    String flags() {
      return "--kafka-port " + kafkaBasePort + " --rest-port " + restPort + " --taskmanagers " + taskManagers + " --slots "
          + slots + " --partitions " + partitions;
    }

    Properties toProperties() {
      Properties p = new Properties();
      p.put("kafka.base-port", String.valueOf(kafkaBasePort));
      p.put("rest.port", String.valueOf(restPort));
      p.put("taskmanagers", String.valueOf(taskManagers));
      p.put("slots", String.valueOf(slots));
      p.put("partitions", String.valueOf(partitions));
      return p;
    }

    static Settings from(Properties p) {
      return new Settings(Integer.parseInt(p.getProperty("kafka.base-port")), Integer.parseInt(p.getProperty("rest.port")),
          Integer.parseInt(p.getProperty("taskmanagers")), Integer.parseInt(p.getProperty("slots")),
          Integer.parseInt(p.getProperty("partitions")));
    }
  }

  private Cluster(Path root, Path flinkConf, Settings settings) {
    this.root = root.toAbsolutePath().normalize();
    this.flinkConf = flinkConf.toAbsolutePath().normalize();
    this.settings = settings;
  }

  /** A cluster to start in {@code root}; its settings are saved there. */
  static Cluster create(Path root, Path flinkConf, Settings settings) {
    Cluster c = new Cluster(root, flinkConf, settings);
    try {
      Files.createDirectories(c.root);
      Properties p = settings.toProperties();
      p.put("flink-conf", c.flinkConf.toString());
      try (var out = Files.newBufferedWriter(c.root.resolve("cluster.properties"))) {
        p.store(out, "written by ./redpacket cluster up");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return c;
  }

  /**
   * The cluster that `cluster up` started in {@code root}.
   *
   * @param flinkConf the Flink configuration folder, or null for the one it was created with
   */
  static Cluster open(Path root, Path flinkConf) {
    Path file = root.resolve("cluster.properties");
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("no cluster in " + root.toAbsolutePath() + ": start one with ./redpacket cluster up");
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path conf = flinkConf != null ? flinkConf : Path.of(p.getProperty("flink-conf", "flink-conf"));
    return new Cluster(root, conf, Settings.from(p));
  }

  String bootstrap() {
    return settings.bootstrap();
  }

  String restUrl() {
    return "http://127.0.0.1:" + settings.restPort;
  }

  FlinkRest rest() {
    return new FlinkRest(restUrl());
  }

  /** Every process of the cluster by name, in start order. */
  List<String> components() {
    List<String> c = new ArrayList<>();
    for (int n = 1; n <= BROKERS; n++) {
      c.add("kafka-" + n);
    }
    c.add("jobmanager");
    for (int n = 1; n <= settings.taskManagers; n++) {
      c.add("taskmanager-" + n);
    }
    return c;
  }

  Path dir(String component) {
    return root.resolve(component);
  }

  /** The running process of a component, found by its marker. */
  Optional<ProcessHandle> process(String component) {
    String marker = MARKER + dir(component);
    return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(cmd -> cmd.contains(marker + " ") || cmd.endsWith(marker)).orElse(false))
        .findFirst();
  }

  /** Starts every component that is not running, and waits until Kafka and Flink answer. */
  void up(PrintStream out) {
    long t0 = System.nanoTime();
    String clusterId = clusterId();
    String voters = voters();
    boolean startedKafka = false;
    for (int n = 1; n <= BROKERS; n++) {
      String name = "kafka-" + n;
      if (process(name).isPresent()) {
        continue;
      }
      LocalKafka.prepareNode(dir(name), n, settings.brokerPort(n), settings.controllerPort(n), voters, clusterId, BROKERS);
      requireFree(name, settings.brokerPort(n), settings.controllerPort(n));
      LocalKafka.launchDetached(dir(name), MARKER + dir(name));
      startedKafka = true;
      out.printf("  started %s (broker 127.0.0.1:%d, controller :%d)%n", name, settings.brokerPort(n), settings.controllerPort(n));
    }
    if (startedKafka) {
      awaitKafka(out);
    }
    TopicAdmin.ensure(bootstrap(), Topics.ALL, Topics.COMPACTED, settings.partitions);
    for (String name : components()) {
      if (name.startsWith("kafka-") || process(name).isPresent()) {
        continue;
      }
      if (name.equals("jobmanager")) {
        requireFree(name, settings.restPort);
      }
      launch(name, flinkCommand(name));
      out.printf("  started %s%n", name);
    }
    awaitFlink(out);
    out.printf("cluster up after %.1f s: Kafka %s (replication %d, min.insync.replicas %d); Flink %s, %d TaskManagers"
        + " x %d slots%n", (System.nanoTime() - t0) / 1e9, bootstrap(), BROKERS, BROKERS - 1, restUrl(),
        settings.taskManagers, settings.slots);
  }

  /**
   * Starts one component again after it died (for the chaos drill): a broker is waited for until all
   * three answer; a TaskManager is only launched, as the jobs recover without it meanwhile.
   */
  void restart(String component, PrintStream out) {
    if (process(component).isPresent()) {
      return;
    }
    if (component.startsWith("kafka-")) {
      LocalKafka.launchDetached(dir(component), MARKER + dir(component));
      awaitKafka(out);
    } else {
      launch(component, flinkCommand(component));
    }
  }

  /**
   * Stops the components: the TaskManagers, then the JobManager, then the brokers, each group at once
   * (brokers stopped one by one would leave the last without a controller quorum for its controlled
   * shutdown).
   */
  void down(PrintStream out) {
    List<String> tms = components().stream().filter(c -> c.startsWith("taskmanager-")).toList();
    List<String> brokers = components().stream().filter(c -> c.startsWith("kafka-")).toList();
    for (List<String> group : List.of(tms, List.of("jobmanager"), brokers)) {
      Map<String, ProcessHandle> running = new LinkedHashMap<>();
      group.forEach(name -> process(name).ifPresent(p -> running.put(name, p)));
      running.values().forEach(ProcessHandle::destroy); // SIGTERM: Kafka's controlled shutdown, Flink's hooks
      running.forEach((name, p) -> {
        try {
          p.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
          p.destroyForcibly();
          try {
            p.onExit().get(20, TimeUnit.SECONDS);
          } catch (Exception ignored) {
            // reported by status
          }
          out.println("  " + name + " did not stop within 60 s; killed it");
        }
        out.println("  stopped " + name);
      });
    }
  }

  /** Deletes what the cluster wrote in its folder, and the folder if nothing else is left in it. */
  void deleteData() {
    List<Path> mine = new ArrayList<>();
    components().forEach(c -> mine.add(dir(c)));
    mine.addAll(List.of(root.resolve("flink"), root.resolve("cluster.properties"), root.resolve("kafka-cluster-id")));
    try (var files = Files.list(root)) {
      files.filter(f -> f.getFileName().toString().matches("jobs(-.+)?\\.json(\\.tmp)?")).forEach(mine::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    mine.forEach(LocalKafka::deleteRecursively);
    try (var left = Files.list(root)) {
      if (left.findAny().isEmpty()) {
        Files.delete(root);
      }
    } catch (IOException ignored) {
      // leave the folder
    }
  }

  /** kill -9: the process gets no chance to clean up, as when a machine dies. */
  boolean kill(String component) {
    Optional<ProcessHandle> p = process(component);
    p.ifPresent(ProcessHandle::destroyForcibly);
    p.ifPresent(h -> {
      try {
        h.onExit().get(20, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // reported by the next status
      }
    });
    return p.isPresent();
  }

  /** Component to pid, or -1 when it is not running. */
  Map<String, Long> status() {
    Map<String, Long> s = new LinkedHashMap<>();
    for (String c : components()) {
      s.put(c, process(c).map(ProcessHandle::pid).orElse(-1L));
    }
    return s;
  }

  private String clusterId() {
    Path file = root.resolve("kafka-cluster-id");
    try {
      if (!Files.exists(file)) {
        Files.writeString(file, org.apache.kafka.common.Uuid.randomUuid().toString());
      }
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String voters() {
    List<String> v = new ArrayList<>();
    for (int n = 1; n <= BROKERS; n++) {
      v.add(n + "@127.0.0.1:" + settings.controllerPort(n));
    }
    return String.join(",", v);
  }

  private void launch(String name, List<String> command) {
    Path dir = dir(name);
    try {
      Files.createDirectories(dir.resolve("log"));
      List<String> cmd = new ArrayList<>();
      if (new File("/usr/bin/setsid").canExecute()) {
        cmd.add("/usr/bin/setsid"); // its own session: a Ctrl-C in this terminal does not reach it
      }
      cmd.addAll(command);
      new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log/" + name + ".out").toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /**
   * The JobManager's or a TaskManager's command line, as Flink's own start scripts build it: the
   * configuration from {@code flink-conf/}, the JVM memory flags Flink derives from it, the JVM
   * options it names ({@code env.java.opts.all}), and this cluster's folders and ports as dynamic
   * properties.
   */
  List<String> flinkCommand(String name) {
    Path dir = dir(name);
    boolean jm = name.equals("jobmanager");
    Map<String, String> dynamic = new LinkedHashMap<>();
    dynamic.put("rest.port", String.valueOf(settings.restPort));
    dynamic.put("execution.checkpointing.dir", root.resolve("flink/checkpoints").toUri().toString());
    dynamic.put("execution.checkpointing.savepoint-dir", root.resolve("flink/savepoints").toUri().toString());
    dynamic.put("io.tmp.dirs", dir.resolve("tmp").toString());
    dynamic.put("blob.storage.directory", dir.resolve("blobs").toString());
    dynamic.put("taskmanager.numberOfTaskSlots", String.valueOf(settings.slots));
    if (jm) {
      dynamic.put("web.upload.dir", dir.resolve("uploads").toString());
    } else {
      dynamic.put("taskmanager.resource-id", name);
      dynamic.put("process.taskmanager.working-dir", dir.resolve("work").toString());
    }
    try {
      Files.createDirectories(dir.resolve("tmp"));
      Files.createDirectories(root.resolve("flink/checkpoints"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Configuration conf = GlobalConfiguration.loadConfiguration(flinkConf.toString(), Configuration.fromMap(dynamic));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(MARKER + dir);
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
    cmd.add(flinkConf.toString());
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
    Path file = root.resolve("flink/log4j.properties");
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
  static String flinkClasspath() {
    try (InputStream in = Cluster.class.getResourceAsStream("/redpacket/flink.classpath")) {
      if (in == null) {
        throw new IllegalStateException("redpacket/flink.classpath is missing: build with ./mvnw install first");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitKafka(PrintStream out) {
    Await.until("three Kafka brokers in the cluster", Duration.ofSeconds(120), () -> {
      for (int n = 1; n <= BROKERS; n++) {
        if (process("kafka-" + n).isEmpty()) {
          throw new Await.Abort("kafka-" + n + " exited while starting; see " + dir("kafka-" + n).resolve("logs/server.log"));
        }
      }
      try (var admin = TopicAdmin.admin(bootstrap())) {
        return admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size() == BROKERS;
      } catch (Exception notYet) {
        return false;
      }
    });
    out.println("  Kafka: " + BROKERS + " brokers answer on " + bootstrap());
  }

  private void awaitFlink(PrintStream out) {
    FlinkRest rest = rest();
    Await.until("the JobManager and " + settings.taskManagers + " TaskManagers", Duration.ofSeconds(120), () -> {
      for (String c : components()) {
        if (!c.startsWith("kafka-") && process(c).isEmpty()) {
          throw new Await.Abort(c + " exited while starting; see " + dir(c).resolve("log/" + c + ".log"));
        }
      }
      return rest.taskManagers() >= settings.taskManagers;
    });
    out.println("  Flink: JobManager on " + restUrl() + ", " + settings.taskManagers + " TaskManagers registered");
  }

  private static void requireFree(String name, int... ports) {
    for (int port : ports) {
      if (!LocalKafka.free(port)) {
        throw new IllegalArgumentException("port " + port + " for " + name + " is taken: stop what uses it, or choose"
            + " other ports with --kafka-port / --rest-port");
      }
    }
  }
}
