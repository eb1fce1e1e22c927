package io.redpacket.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    if (KafkaNode.inUse(dir)) {
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
        KafkaNode.format(dir, Uuid.randomUuid().toString());
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

  /** The broker's process while it runs (for its CPU time, say). */
  public java.util.Optional<ProcessHandle> processHandle() {
    Process p = process;
    return p != null && p.isAlive() ? java.util.Optional.of(p.toHandle()) : java.util.Optional.empty();
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

  private static int[] ports(Path dir) throws IOException {
    Path saved = dir.resolve("ports");
    if (Files.exists(saved)) {
      String[] p = Files.readString(saved).trim().split(",");
      int broker = Integer.parseInt(p[0]);
      int controller = Integer.parseInt(p[1]);
      if (KafkaNode.free(broker) && KafkaNode.free(controller)) {
        return new int[] {broker, controller};
      }
    }
    int[] ports = {KafkaNode.freePort(), KafkaNode.freePort()};
    while (ports[1] == ports[0]) {
      ports[1] = KafkaNode.freePort();
    }
    Files.writeString(saved, ports[0] + "," + ports[1]);
    return ports;
  }

  private void writeConfig() throws IOException {
    KafkaNode.writeConfig(dir, 1, brokerPort, controllerPort, "1@127.0.0.1:" + controllerPort, 1);
  }

  private void launch() throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    List<String> cmd = KafkaNode.java(dir, BrokerMain.class.getName());
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

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no output)";
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
