package io.redpacket.ingest;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The ingest as a service of its own: {@code java -cp ... io.redpacket.ingest.IngestMain}, and {@code ./redpacket ingest}. */
@Command(name = "ingest", mixinStandardHelpOptions = true, version = "redpacket ingest 0.1.0",
    description = "Run the HTTP ingest service in front of Kafka until Ctrl-C. Secrets come from the environment:"
        + " REDPACKET_TOKEN_SECRET (signs user tokens) and REDPACKET_ADMIN_TOKEN, each at least 16 characters;"
        + " without them the ingest refuses to start, unless --dev.")
public final class IngestMain implements Callable<Integer> {
  public static final String DEV_SECRET = "local-dev-secret-change-me";
  public static final String DEV_ADMIN = "local-dev-admin-change-me";

  @Option(names = "--bootstrap", description = "Kafka bootstrap servers of a running stack (see: ./redpacket stack up)",
      required = true)
  String bootstrap;

  @Option(names = "--topic-prefix", description = "prefix of every topic name (default: none)", defaultValue = "")
  String topicPrefix;

  @Option(names = "--dev", description = "development only: use the built-in token secret and admin token"
      + " (known to everyone) when REDPACKET_TOKEN_SECRET or REDPACKET_ADMIN_TOKEN is not set")
  boolean dev;

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--host", defaultValue = IngestConfig.LOOPBACK, description = "address to listen on: 127.0.0.1"
      + " (loopback: this machine only), 0.0.0.0 (every interface, as in a container) or one interface's address"
      + " (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--event-loops", description = "event loops serving HTTP, one server each on the same port"
      + " (default: the number of cores, here ${DEFAULT-VALUE})")
  int eventLoops = IngestConfig.cores();

  @Option(names = "--admission", defaultValue = "20000", description = "shakes per second forwarded to the backend; the rest are sampled out (default: ${DEFAULT-VALUE})")
  int admission;

  @Option(names = "--user-rate", defaultValue = "5", description = "shakes per second one user may make, bursts of twice that (default: ${DEFAULT-VALUE})")
  double userRate;

  @Option(names = "--max-in-flight", defaultValue = "10000", description = "forwarded shakes awaiting Kafka or their outcome; beyond, 429 (default: ${DEFAULT-VALUE})")
  int maxInFlight;

  @Option(names = "--outcome-wait-ms", defaultValue = "1000", description = "wait this long for an outcome before 202 (default: ${DEFAULT-VALUE})")
  long outcomeWaitMs;

  @Option(names = "--grant-expiry-seconds", defaultValue = "86400", description = "the settlement job's"
      + " --expiry-seconds: under load, opens whose grant expires within a few Retry-Afters are forwarded, not shed"
      + " (default: ${DEFAULT-VALUE})")
  long grantExpirySeconds;

  @Option(names = "--admin-port", defaultValue = "-1", description = "serve /metrics and the admin routes on this"
      + " port (same --host) instead of the public one, e.g. to keep them off a load balancer (default: the public"
      + " port)")
  int adminPort;

  @Option(names = "--max-connections", defaultValue = "20000", description = "open HTTP connections at most;"
      + " more are closed as they arrive (default: ${DEFAULT-VALUE})")
  int maxConnections;

  @Option(names = "--header-deadline-seconds", defaultValue = "30", description = "a connection that has not sent"
      + " a request's headers this long after opening or after its previous answer is closed, however slowly bytes"
      + " come (default: ${DEFAULT-VALUE})")
  int headerDeadlineSeconds;

  @Option(names = "--cache-megabytes", description = "memory the caches (job states, answers, per-user limits) may"
      + " take together (default: a third of the heap, here ${DEFAULT-VALUE})")
  long cacheMegabytes = Runtime.getRuntime().maxMemory() / 3 / (1 << 20);

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with its error handling: a usage error (exit 2) is said in one line, with where to look. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new IngestMain());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof IllegalArgumentException) { // a usage error, as the launcher reports it
        cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
        cmd.getErr().println("see: " + cmd.getCommandName() + " --help");
        return 2;
      }
      cmd.getErr().println(cmd.getCommandName() + " failed: " + e);
      e.printStackTrace(cmd.getErr());
      return 1;
    });
    return cli;
  }

  @Override
  public Integer call() throws Exception {
    range("--port", port, 0, 65535);
    range("--event-loops", eventLoops, 1, 256);
    checkHost(host);
    range("--admission", admission, 1, 10_000_000);
    range("--max-in-flight", maxInFlight, 1, 10_000_000);
    range("--outcome-wait-ms", outcomeWaitMs, 1, 60_000);
    range("--grant-expiry-seconds", grantExpirySeconds, 1, 31_536_000);
    range("--admin-port", adminPort, -1, 65535);
    if (adminPort > 0 && adminPort == port) {
      throw new IllegalArgumentException("--admin-port must differ from --port (" + port + "); leave it out to serve"
          + " both on one port");
    }
    range("--max-connections", maxConnections, 1, 10_000_000);
    range("--header-deadline-seconds", headerDeadlineSeconds, 1, 3600);
    long heapMegabytes = Runtime.getRuntime().maxMemory() >> 20;
    if (cacheMegabytes < 1 || cacheMegabytes > heapMegabytes * 9 / 10) {
      throw new IllegalArgumentException("--cache-megabytes must be from 1 to 90% of the heap (" + heapMegabytes
          + " MB here; -Xmx sets it), was " + cacheMegabytes);
    }
    if (userRate <= 0 || userRate > 10_000) {
      throw new IllegalArgumentException("--user-rate must be above 0 and at most 10000");
    }
    IngestConfig config = new IngestConfig(port, bootstrap, topicPrefix, secret(dev), adminToken(dev),
        Duration.ofMillis(outcomeWaitMs), admission, userRate, maxInFlight, 4096, host, eventLoops,
        new IngestConfig.Bounds(maxConnections, Duration.ofSeconds(headerDeadlineSeconds), cacheMegabytes << 20,
            adminPort)).withGrantExpiry(Duration.ofSeconds(grantExpirySeconds));
    try (IngestServer server = start(config)) {
      System.out.println(listeningLine(server)
          + (server.adminPort() < 0
              ? " (POST /v1/shakes, GET /v1/shakes/{id}?poolId=, POST /v1/admin/pools, /health/live, /health/ready, /metrics)"
              : " (POST /v1/shakes, GET /v1/shakes/{id}?poolId=, /health/live, /health/ready); /metrics and"
                  + " POST /v1/admin/pools on port " + server.adminPort()));
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
    }
    return 0;
  }

  /** The start-up line: the address actually bound, what it means, and on how many event loops. */
  public static String listeningLine(IngestServer server) {
    String scope = switch (server.host()) {
      case "0.0.0.0", "::", "[::]" -> "every interface";
      case IngestConfig.LOOPBACK, "::1", "localhost" -> "loopback only";
      default -> "this address only";
    };
    return "ingest listening on " + server.address() + " (" + scope + "; " + server.eventLoops() + " event loop"
        + (server.eventLoops() == 1 ? "" : "s") + ")";
  }

  private static IngestServer start(IngestConfig config) throws Exception {
    try {
      return IngestServer.start(config);
    } catch (Exception e) {
      Throwable c = e;
      while (c != null && !(c instanceof java.net.BindException)) {
        c = c.getCause();
      }
      if (c != null) {
        throw new IllegalArgumentException("cannot listen on " + config.host() + ":" + config.port() + ": "
            + c.getMessage() + " (is the port taken, or --host not an address of this machine?)");
      }
      throw e;
    }
  }

  /** A literal address or a name that resolves; the bind then says whether it is this machine's. */
  static void checkHost(String host) {
    if (host == null || host.isBlank() || host.length() > 253 || !host.matches("[A-Za-z0-9.:\\-\\[\\]%]+")) {
      throw new IllegalArgumentException("--host must be an address such as 127.0.0.1 or 0.0.0.0, was '" + host + "'");
    }
    try {
      java.net.InetAddress.getByName(host);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("--host " + host + " is not a known address or name");
    }
  }

  private static void range(String flag, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(flag + " must be from " + min + " to " + max + ", was " + value);
    }
  }

  /** The token secret from the environment; without one, a usage error (there is no safe default). */
  public static String secret() {
    return secret(false);
  }

  /** The same; with {@code dev}, the built-in development secret when none is set. */
  public static String secret(boolean dev) {
    return fromEnv("REDPACKET_TOKEN_SECRET", DEV_SECRET, dev);
  }

  public static String adminToken() {
    return adminToken(false);
  }

  public static String adminToken(boolean dev) {
    return fromEnv("REDPACKET_ADMIN_TOKEN", DEV_ADMIN, dev);
  }

  /** The secret for clients of a local ingest (minting tokens): the environment's, else the development one. */
  public static String secretOrDev() {
    String s = System.getenv("REDPACKET_TOKEN_SECRET");
    return s == null || s.isBlank() ? DEV_SECRET : s;
  }

  private static String fromEnv(String name, String devValue, boolean dev) {
    String s = System.getenv(name);
    if (s == null || s.isBlank()) {
      if (!dev) {
        throw new IllegalArgumentException(name + " is not set: set it (at least 16 characters, kept secret), or pass"
            + " --dev to use the built-in development value that everyone knows");
      }
      System.err.println("warning: " + name + " is not set; --dev: using the built-in development value");
      return devValue;
    }
    return checkSecret(name, s);
  }

  static String checkSecret(String name, String value) {
    if (value.length() < 16) {
      throw new IllegalArgumentException(name + " must be at least 16 characters");
    }
    return value;
  }
}
