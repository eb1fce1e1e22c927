package io.redpacket.stack;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker (KRaft: broker and controller in one) in a child JVM, started from the
 * Maven jars, listening on loopback ports chosen free. Its data lives in a directory that can be
 * kept (restart with the same topics and offsets) or thrown away on close.
 */
public final class LocalKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final boolean deleteOnClose;
  private final int brokerPort;
  private final int controllerPort;
  private Process process;

  private LocalKafka(Path dir, boolean deleteOnClose, int brokerPort, int controllerPort) {
    this.dir = dir;
    this.deleteOnClose = deleteOnClose;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
  }

  /**
   * Formats (if new) and starts a broker whose data lives in {@code dir}. A broker whose data is not kept starts
   * empty: what an earlier run left in {@code dir} (one kept with {@code --keep}, or one killed before it could
   * delete its data) is deleted first, since reading its topics again would count its records twice. A broker
   * already running on {@code dir} is never touched: the start is refused.
   *
   * @param keep keep the data after {@link #close()}, and start on the data kept before; otherwise the directory
   *     is deleted, before the start and after the close
   * @throws IllegalStateException if a broker is running on the data in {@code dir}
   */
  public static LocalKafka start(Path dir, boolean keep) {
    if (inUse(dir)) {
      throw new IllegalStateException("a Kafka broker is already running on the data in " + dir
          + ": stop the run that started it (Ctrl-C where it runs), or give this one another data folder (--data-dir)");
    }
    if (!keep) {
      deleteRecursively(dir);
    }
    try {
      Files.createDirectories(dir);
      int[] ports = ports(dir);
      LocalKafka kafka = new LocalKafka(dir, !keep, ports[0], ports[1]);
      kafka.writeConfig();
      if (!Files.exists(dir.resolve("kraft-logs/meta.properties"))) {
        kafka.format();
      }
      kafka.launch();
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Kafka in " + dir, e);
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  public Path dataDir() {
    return dir;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the broker (controlled shutdown), keeping its data, so a test can see Kafka down. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy(); // SIGTERM: Kafka's shutdown hook runs a controlled shutdown
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        LOG.warn("Kafka did not stop within 30 s; killing it");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Starts the broker again on the same ports and data, after {@link #stop()}. */
  public void restart() {
    if (isRunning()) {
      return;
    }
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    stop();
    if (deleteOnClose) {
      deleteRecursively(dir);
    }
  }

  /**
   * Whether a broker is running on the data in {@code dir}: Kafka holds a lock on its log folder's {@code .lock}
   * file while it runs (from any process; a killed broker's lock goes with it).
   */
  public static boolean inUse(Path dir) {
    Path lock = dir.resolve("kraft-logs").resolve(".lock");
    if (!Files.exists(lock)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE)) {
      FileLock held = channel.tryLock();
      if (held == null) {
        return true;
      }
      held.release();
      return false;
    } catch (OverlappingFileLockException lockedByThisProcess) {
      return true;
    } catch (IOException unreadable) {
      return false;
    }
  }

  private static int[] ports(Path dir) throws IOException {
    Path saved = dir.resolve("ports");
    if (Files.exists(saved)) {
      String[] p = Files.readString(saved).trim().split(",");
      int broker = Integer.parseInt(p[0]);
      int controller = Integer.parseInt(p[1]);
      if (free(broker) && free(controller)) {
        return new int[] {broker, controller};
      }
    }
    int[] ports = {freePort(), freePort()};
    while (ports[1] == ports[0]) {
      ports[1] = freePort();
    }
    Files.writeString(saved, ports[0] + "," + ports[1]);
    return ports;
  }

  private void writeConfig() throws IOException {
    writeConfig(dir, 1, brokerPort, controllerPort, "1@127.0.0.1:" + controllerPort, 1);
  }

  /**
   * A node's server.properties: broker and controller in one (KRaft combined mode). With
   * {@code replication} above 1, topics and Kafka's own transaction and offset logs are replicated
   * that many times and a write needs {@code replication - 1} in-sync copies.
   */
  private static void writeConfig(Path dir, int nodeId, int brokerPort, int controllerPort, String voters,
      int replication) throws IOException {
    String rf = String.valueOf(replication);
    String minIsr = String.valueOf(Math.max(1, replication - 1));
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(nodeId));
    p.put("controller.quorum.voters", voters);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    p.put("log.dirs", dir.resolve("kraft-logs").toString());
    p.put("num.partitions", "4");
    p.put("default.replication.factor", rf);
    p.put("min.insync.replicas", minIsr);
    p.put("auto.create.topics.enable", "false");
    p.put("offsets.topic.replication.factor", rf);
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", rf);
    p.put("transaction.state.log.min.isr", minIsr);
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", rf);
    p.put("share.coordinator.state.topic.min.isr", minIsr);
    p.put("group.initial.rebalance.delay.ms", "0");
    // At or above every sink's transaction.timeout.ms (the jobs use 10 minutes).
    p.put("transaction.max.timeout.ms", "3600000");
    p.put("log.cleaner.backoff.ms", "5000");
    if (replication > 1) {
      // A broker killed with kill -9 keeps leading its partitions (and sitting in their in-sync replicas, so
      // acks=all writes wait for it) until the controller fences it: when its session expires, or when it
      // registers again after a restart. Kafka's 9 s session (2 s heartbeats) made that most of a lost
      // broker's cost; 4 s (1 s heartbeats) moves its leaderships within about 4 s (issue 18).
      p.put("broker.session.timeout.ms", "4000");
      p.put("broker.heartbeat.interval.ms", "1000");
    }
    Files.createDirectories(dir.resolve("config"));
    try (var out = Files.newBufferedWriter(dir.resolve("config/server.properties"))) {
      p.store(out, "written by LocalKafka");
    }
    Files.writeString(dir.resolve("config/log4j2.properties"), String.join("\n",
        "status = warn",
        "appender.file.type = File",
        "appender.file.name = file",
        "appender.file.fileName = " + dir.resolve("logs/server.log"),
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = [%d] %p %m (%c)%n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.file.ref = file",
        "logger.kafka.name = kafka",
        "logger.kafka.level = INFO",
        "logger.state.name = state.change.logger",
        "logger.state.level = WARN",
        ""));
  }

  /**
   * Writes the configuration of one node of a multi-node cluster and formats its storage with the
   * cluster's id, if not done before. Each node is then started with {@link #launchDetached}.
   *
   * @param voters every node's controller address, {@code id@host:port,...}
   */
  public static void prepareNode(Path dir, int nodeId, int brokerPort, int controllerPort, String voters,
      String clusterId, int replication) {
    try {
      Files.createDirectories(dir);
      writeConfig(dir, nodeId, brokerPort, controllerPort, voters, replication);
      if (!Files.exists(dir.resolve("kraft-logs/meta.properties"))) {
        format(dir, clusterId);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka node " + nodeId + " in " + dir, e);
    }
  }

  /**
   * Starts a prepared node as a process of its own that outlives this JVM (no stdin watchdog; its own
   * session, so a Ctrl-C in this terminal does not reach it). Returns at once; the caller waits.
   */
  public static Process launchDetached(Path dir, String... jvmProps) {
    try {
      Files.createDirectories(dir.resolve("logs"));
      List<String> cmd = new ArrayList<>();
      if (new File("/usr/bin/setsid").canExecute()) {
        cmd.add("/usr/bin/setsid");
      }
      List<String> props = new ArrayList<>(List.of(jvmProps));
      props.add("-D" + BrokerMain.DETACHED + "=true");
      cmd.addAll(java(dir, BrokerMain.class.getName(), props.toArray(String[]::new)));
      cmd.add(dir.resolve("config/server.properties").toString());
      return new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("logs/stdout.log").toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the Kafka node in " + dir, e);
    }
  }

  /**
   * Formats the storage. transaction.version=1: with version 2 the Flink connector's recovery
   * logs a false "data loss" ERROR on nearly every restart (FLINK-40689, FLINK-40626); both
   * were tested exactly-once here, see STACK.md.
   */
  private void format() throws IOException {
    format(dir, Uuid.randomUuid().toString());
  }

  private static void format(Path dir, String clusterId) throws IOException {
    List<String> cmd = java(dir, "kafka.tools.StorageTool");
    cmd.addAll(List.of("format", "-t", clusterId, "-c",
        dir.resolve("config/server.properties").toString(), "--feature", "transaction.version=1"));
    Process format = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("format.log").toFile()).start();
    try {
      if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
        format.destroyForcibly();
        throw new IllegalStateException("formatting Kafka storage failed: " + Files.readString(dir.resolve("format.log")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void launch() throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    List<String> cmd = java(dir, BrokerMain.class.getName());
    cmd.add(dir.resolve("config/server.properties").toString());
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("logs/stdout.log").toFile()))
        .start(); // stdin stays a pipe: BrokerMain exits when this JVM goes away
    Process started = process;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (started.isAlive()) {
        started.destroy();
        try {
          started.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException ignored) {
          // exiting anyway
        }
        started.destroyForcibly();
      }
    }, "stop-kafka"));
    awaitReady();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Map<String, Object> conf = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
    try (Admin admin = Admin.create(conf)) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("Kafka exited with " + process.exitValue() + " while starting; see "
              + dir.resolve("logs") + ":\n" + tail(dir.resolve("logs/stdout.log")));
        }
        try {
          if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
            LOG.info("Kafka ready on {} (data in {})", bootstrapServers(), dir);
            return;
          }
        } catch (Exception notYet) {
          // keep waiting, bounded by the deadline
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
    throw new IllegalStateException("Kafka did not answer within " + START_TIMEOUT.toSeconds() + " s; see " + dir.resolve("logs"));
  }

  private static List<String> java(Path dir, String mainClass, String... props) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(props));
    cmd.addAll(List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
        "-Dlog4j2.configurationFile=" + dir.resolve("config/log4j2.properties").toUri(),
        "-Djava.io.tmpdir=" + dir,
        "-cp", brokerClasspath(), mainClass));
    return cmd;
  }

  /** The broker's classpath: Kafka's jars (written at build time) and this module's classes. */
  static String brokerClasspath() {
    try (InputStream in = LocalKafka.class.getResourceAsStream("/redpacket/broker.classpath")) {
      if (in == null) {
        throw new IllegalStateException("redpacket/broker.classpath is missing: build with ./mvnw install first");
      }
      String jars = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      String self = new File(LocalKafka.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
      return self + File.pathSeparator + jars;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no output)";
    }
  }

  /** Whether nothing listens on this loopback port. */
  public static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Deletes a folder and everything in it; best effort (used for throw-away data). Walks again when
   * a file vanished under the walk, as another cleaner (Vert.x's cache) may delete its own at exit.
   */
  public static void deleteRecursively(Path dir) {
    for (int attempt = 1; attempt <= 3 && Files.exists(dir); attempt++) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        if (attempt == 3) {
          LOG.warn("could not delete {}: {}", dir, e.toString());
        }
      }
    }
  }
}
