package io.redpacket.stack;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka node's files and command lines: its server.properties and logging, its formatted storage, the JVM that
 * runs it (from the Maven jars), its loopback ports, and whether a broker holds its data. {@link LocalKafka} runs one node as a child of this JVM; a cluster prepares
 * several with {@link #prepareNode} and starts each with {@link #launchDetached}.
 */
public final class KafkaNode {
  private KafkaNode() {}

  /**
   * A node's server.properties: broker and controller in one (KRaft combined mode). With
   * {@code replication} above 1, topics and Kafka's own transaction and offset logs are replicated
   * that many times and a write needs {@code replication - 1} in-sync copies.
   */
  static void writeConfig(Path dir, int nodeId, int brokerPort, int controllerPort, String voters,
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
   * Formats a node's storage with the cluster's id. transaction.version=1: with version 2 the Flink connector's
   * recovery logs a false "data loss" ERROR on nearly every restart (FLINK-40689, FLINK-40626).
   */
  static void format(Path dir, String clusterId) throws IOException {
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

  /** The command line running {@code mainClass} on the broker's classpath, with the node's logging and temp folder. */
  static List<String> java(Path dir, String mainClass, String... props) {
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
    try (InputStream in = KafkaNode.class.getResourceAsStream("/redpacket/broker.classpath")) {
      if (in == null) {
        throw new IllegalStateException("redpacket/broker.classpath is missing: build with ./mvnw install first");
      }
      String jars = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      String self = new File(KafkaNode.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
      return self + File.pathSeparator + jars;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
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

  /** Whether nothing listens on this loopback port. */
  public static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
