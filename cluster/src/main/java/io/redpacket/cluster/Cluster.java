package io.redpacket.cluster;

import io.redpacket.codec.Topics;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.stack.KafkaNode;
import io.redpacket.stack.LocalKafka;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The pipeline on separate processes on loopback, without Docker: three Kafka nodes (KRaft, each
 * broker and controller, replication 3, min.insync.replicas 2) and a Flink standalone session
 * cluster (a JobManager and TaskManagers, each its own JVM reading {@code flink-conf/config.yaml}),
 * all started from the Maven jars. Every process outlives the command that started it; each is
 * found again by the marker on its command line, so up, down, status and the chaos test work from
 * any later command. {@link #up} starts only what is not running, which is also how a killed
 * process is brought back.
 */
public final class Cluster {
  public static final int BROKERS = 3;
  public static final String MARKER = "-Dredpacket.component=";
  /** How often a Flink process that dies while being waited for is started again before the wait gives up. */
  static final int RELAUNCHES = 3;

  private final ClusterWaits waits = new ClusterWaits(this);

  public final Path root;
  public final Path flinkConf;
  public final ClusterSettings settings;

  private Cluster(Path root, Path flinkConf, ClusterSettings settings) {
    this.root = root.toAbsolutePath().normalize();
    this.flinkConf = flinkConf.toAbsolutePath().normalize();
    this.settings = settings;
  }

  /** A cluster to start in {@code root}; its settings are saved there. */
  public static Cluster create(Path root, Path flinkConf, ClusterSettings settings) {
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
  public static Cluster open(Path root, Path flinkConf) {
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
    return new Cluster(root, conf, ClusterSettings.from(p));
  }

  public String bootstrap() {
    return settings.bootstrap();
  }

  public String restUrl() {
    return "http://127.0.0.1:" + settings.restPort();
  }

  public FlinkRest rest() {
    return new FlinkRest(restUrl());
  }

  /** Every process of the cluster by name, in start order. */
  public List<String> components() {
    List<String> c = new ArrayList<>();
    for (int n = 1; n <= BROKERS; n++) {
      c.add("kafka-" + n);
    }
    c.add("jobmanager");
    for (int n = 1; n <= settings.taskManagers(); n++) {
      c.add("taskmanager-" + n);
    }
    return c;
  }

  public Path dir(String component) {
    return root.resolve(component);
  }

  /** The running process of a component, found by its marker. */
  public Optional<ProcessHandle> process(String component) {
    return Processes.find(MARKER + dir(component));
  }

  /** Starts every component that is not running, and waits until Kafka and Flink answer. */
  public void up(PrintStream out) {
    long t0 = System.nanoTime();
    String clusterId = clusterId();
    String voters = voters();
    boolean startedKafka = false;
    for (int n = 1; n <= BROKERS; n++) {
      String name = "kafka-" + n;
      if (process(name).isPresent()) {
        continue;
      }
      KafkaNode.prepareNode(dir(name), n, settings.brokerPort(n), settings.controllerPort(n), voters, clusterId, BROKERS);
      requireFree(name, settings.brokerPort(n), settings.controllerPort(n));
      launchKafka(name);
      startedKafka = true;
      out.printf("  started %s (broker 127.0.0.1:%d, controller :%d)%n", name, settings.brokerPort(n), settings.controllerPort(n));
    }
    if (startedKafka) {
      waits.kafka(out);
    }
    TopicAdmin.ensure(bootstrap(), Topics.ALL, Topics.COMPACTED, settings.partitions());
    startFlink(out);
    out.printf("cluster up after %.1f s: Kafka %s (replication %d, min.insync.replicas %d); Flink %s, %d TaskManagers"
        + " x %d slots%n", (System.nanoTime() - t0) / 1e9, bootstrap(), BROKERS, BROKERS - 1, restUrl(),
        settings.taskManagers(), settings.slots());
  }

  /** Starts the Flink processes that are not running and waits until every TaskManager is registered. */
  void startFlink(PrintStream out) {
    for (String name : components()) {
      if (name.startsWith("kafka-") || process(name).isPresent()) {
        continue;
      }
      if (name.equals("jobmanager")) {
        requireFree(name, settings.restPort());
      }
      launchFlink(name);
      out.printf("  started %s%n", name);
    }
    waits.flink(out, settings.taskManagers());
  }

  /**
   * Starts one component again after it died (for the chaos drill): a broker is waited for until all
   * three answer, the JobManager until it answers with every TaskManager registered; a TaskManager is only
   * launched, as the jobs recover without it meanwhile.
   */
  public void restart(String component, PrintStream out) {
    if (process(component).isPresent()) {
      return;
    }
    if (component.startsWith("kafka-")) {
      launchKafka(component);
      waits.kafka(out);
    } else {
      launchFlink(component);
      if (component.equals("jobmanager")) {
        // One TaskManager's slots hold every job; the other may take longer to register again.
        waits.flink(out, 1);
      }
    }
  }

  /**
   * Starts again whatever is not running (a TaskManager gives up and exits when it cannot register for 5
   * minutes), then waits, bounded, until every TaskManager is registered, the three brokers answer and every
   * partition's replicas are in sync.
   *
   * @return the partitions whose replicas were not in sync when the wait for them began
   */
  public int awaitWhole(PrintStream out) {
    for (String c : components()) {
      if (process(c).isEmpty()) {
        String why = c.startsWith("kafka-") ? c + " is not running" : waits.flinkEnded(c, " is not running");
        waits.incident(out, why + "\n  starting " + c + " again");
        restart(c, out);
      }
    }
    waits.kafka(out);
    int behind = waits.replicasInSync(out);
    waits.flink(out, settings.taskManagers());
    return behind;
  }

  /**
   * Stops the components: the TaskManagers, then the JobManager, then the brokers, each group at once
   * (brokers stopped one by one would leave the last without a controller quorum for its controlled
   * shutdown).
   */
  public void down(PrintStream out) {
    List<String> tms = components().stream().filter(c -> c.startsWith("taskmanager-")).toList();
    List<String> brokers = components().stream().filter(c -> c.startsWith("kafka-")).toList();
    for (List<String> group : List.of(tms, List.of("jobmanager"), brokers)) {
      Map<String, ProcessHandle> running = new LinkedHashMap<>();
      group.forEach(name -> process(name).ifPresent(p -> running.put(name, p)));
      Processes.stopAll(running, out);
    }
  }

  /** Deletes what the cluster wrote in its folder, and the folder if nothing else is left in it. */
  public void deleteData() {
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
  public boolean kill(String component) {
    Optional<ProcessHandle> p = process(component);
    p.ifPresent(Processes::kill);
    return p.isPresent();
  }

  /** Component to pid, or -1 when it is not running. */
  public Map<String, Long> status() {
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

  /** The JobManager or a TaskManager, started detached. */
  void launchFlink(String name) {
    Processes.launchDetached(dir(name), name, MARKER + dir(name), flinkCommand(name));
  }

  /** A broker, remembered by its handle as the Flink processes are (see {@link Processes#find}). */
  private void launchKafka(String name) {
    Processes.started(MARKER + dir(name), KafkaNode.launchDetached(dir(name), MARKER + dir(name)));
  }

  /** The JobManager's or a TaskManager's command line (see {@link FlinkCommandLine}). */
  List<String> flinkCommand(String name) {
    return new FlinkCommandLine(this).command(name);
  }

  /** The Flink processes this JVM found dead while waiting for them and started again, each with why; then forgotten. */
  public List<String> takeIncidents() {
    return waits.take();
  }

  private static void requireFree(String name, int... ports) {
    for (int port : ports) {
      if (!KafkaNode.free(port)) {
        throw new IllegalArgumentException("port " + port + " for " + name + " is taken: stop what uses it, or choose"
            + " other ports with --kafka-port / --rest-port");
      }
    }
  }
}
