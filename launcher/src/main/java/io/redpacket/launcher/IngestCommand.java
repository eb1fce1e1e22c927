package io.redpacket.launcher;

import io.redpacket.core.Tokens;
import io.redpacket.ingest.IngestConfig;
import io.redpacket.ingest.IngestServer;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Run the HTTP ingest service in front of Kafka until Ctrl-C. Secrets come from the environment:"
        + " REDPACKET_TOKEN_SECRET (signs user tokens) and REDPACKET_ADMIN_TOKEN.")
final class IngestCommand implements Callable<Integer> {
  static final String DEV_SECRET = "local-dev-secret-change-me";
  static final String DEV_ADMIN = "local-dev-admin-change-me";

  @Mixin StackOptions stack;

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--admission", defaultValue = "20000", description = "shakes per second forwarded to the backend; the rest are sampled out (default: ${DEFAULT-VALUE})")
  int admission;

  @Option(names = "--user-rate", defaultValue = "5", description = "shakes per second one user may make, bursts of twice that (default: ${DEFAULT-VALUE})")
  double userRate;

  @Option(names = "--max-in-flight", defaultValue = "10000", description = "forwarded shakes awaiting Kafka or their outcome; beyond, 429 (default: ${DEFAULT-VALUE})")
  int maxInFlight;

  @Option(names = "--outcome-wait-ms", defaultValue = "1000", description = "wait this long for an outcome before 202 (default: ${DEFAULT-VALUE})")
  long outcomeWaitMs;

  @Override
  public Integer call() throws Exception {
    Checks.range("--port", port, 0, 65535);
    Checks.range("--admission", admission, 1, 10_000_000);
    Checks.range("--max-in-flight", maxInFlight, 1, 10_000_000);
    Checks.range("--outcome-wait-ms", outcomeWaitMs, 1, 60_000);
    if (userRate <= 0 || userRate > 10_000) {
      throw new IllegalArgumentException("--user-rate must be above 0 and at most 10000");
    }
    IngestConfig config = new IngestConfig(port, stack.bootstrap, stack.topicPrefix, secret(), adminToken(),
        Duration.ofMillis(outcomeWaitMs), admission, userRate, maxInFlight, 4096);
    try (IngestServer server = IngestServer.start(config)) {
      System.out.println("ingest listening on http://127.0.0.1:" + server.port()
          + " (POST /v1/shakes, GET /v1/shakes/{id}?poolId=, POST /v1/admin/pools, /health/live, /health/ready, /metrics)");
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
    }
    return 0;
  }

  static String secret() {
    String s = System.getenv("REDPACKET_TOKEN_SECRET");
    if (s == null || s.isBlank()) {
      System.err.println("warning: REDPACKET_TOKEN_SECRET is not set; using the local development secret");
      return DEV_SECRET;
    }
    return s;
  }

  static String adminToken() {
    String s = System.getenv("REDPACKET_ADMIN_TOKEN");
    return s == null || s.isBlank() ? DEV_ADMIN : s;
  }

  @Command(name = "token", mixinStandardHelpOptions = true,
      description = "Mint a user token for the ingest (signed with REDPACKET_TOKEN_SECRET).")
  static final class Token implements Callable<Integer> {
    @Parameters(index = "0", description = "the user id")
    String user;

    @Option(names = "--ttl", defaultValue = "PT24H", description = "how long it is valid, ISO-8601 (default: ${DEFAULT-VALUE})")
    Duration ttl;

    @Override
    public Integer call() {
      System.out.println(new Tokens(secret()).mint(user, System.currentTimeMillis() + ttl.toMillis()));
      return 0;
    }
  }
}
