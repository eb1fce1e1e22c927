package io.redpacket.ingest;

import java.time.Duration;

/**
 * Settings of one ingest instance.
 *
 * @param outcomeWait how long a forwarded shake waits for its outcome before {@code 202} and a poll URL
 * @param admissionPerSecond shakes per second this instance forwards to the backend; the rest are sampled out
 * @param userPerSecond sustained shakes per second one user may make (bursts of twice that)
 * @param maxInFlight forwarded shakes awaiting Kafka or their outcome; beyond it, {@code 429}
 * @param host the address the HTTP server binds: {@code 127.0.0.1} for loopback only, {@code 0.0.0.0} for all
 * @param eventLoops event loops serving HTTP, each with a server of its own on the same port
 * @param bounds what one instance lets clients hold: connections, time to send headers, cache memory
 * @param grantExpiry the settlement job's {@code --expiry-seconds}: a grant expires this long after it was granted.
 *     Under load the ingest sheds opens, but not those whose grant expires soon: their retry might come too late
 */
public record IngestConfig(int port, String bootstrap, String topicPrefix, String tokenSecret, String adminToken,
    Duration outcomeWait, int admissionPerSecond, double userPerSecond, int maxInFlight, int maxBodyBytes, String host,
    int eventLoops, Bounds bounds, Duration grantExpiry) {

  /** The settlement job's default expiry: 24 h. */
  public static final Duration DEFAULT_GRANT_EXPIRY = Duration.ofHours(24);

  /**
   * What clients can hold of one instance, whatever they send or how slowly.
   *
   * @param maxConnections open connections at most; more are closed as they arrive
   * @param headerDeadline time a connection has to send a request's headers, from its opening or its previous
   *     answer, however slowly the bytes come
   * @param cacheBytes memory the caches (states, answers, per-user limits) may take together
   * @param adminPort where {@code /metrics} and the admin routes are served instead of the public port: -1 on
   *     the public port, 0 any free port
   */
  public record Bounds(int maxConnections, Duration headerDeadline, long cacheBytes, int adminPort) {
    public Bounds {
      java.util.Objects.requireNonNull(headerDeadline, "headerDeadline");
      if (maxConnections < 1) {
        throw new IllegalArgumentException("max connections must be at least 1, was " + maxConnections);
      }
      if (adminPort < -1 || adminPort > 65535) {
        throw new IllegalArgumentException("the admin port must be from 0 to 65535, or -1 for none, was " + adminPort);
      }
      if (headerDeadline.isNegative() || headerDeadline.isZero()) {
        throw new IllegalArgumentException("the header deadline must be positive, was " + headerDeadline);
      }
    }

    /** 20,000 connections, 30 s for headers, a third of the heap for caches, metrics and admin on the public port. */
    public static Bounds defaults() {
      return new Bounds(20_000, Duration.ofSeconds(30), Runtime.getRuntime().maxMemory() / 3, -1);
    }

    public Bounds withAdminPort(int port) {
      return new Bounds(maxConnections, headerDeadline, cacheBytes, port);
    }
  }

  /** Loopback: a local run is not reachable from other machines unless asked. */
  public static final String LOOPBACK = "127.0.0.1";

  public IngestConfig {
    if (eventLoops < 1) {
      throw new IllegalArgumentException("event loops must be at least 1, was " + eventLoops);
    }
    java.util.Objects.requireNonNull(bounds, "bounds");
    java.util.Objects.requireNonNull(grantExpiry, "grantExpiry");
    if (grantExpiry.isNegative() || grantExpiry.isZero()) {
      throw new IllegalArgumentException("the grant expiry must be positive, was " + grantExpiry);
    }
  }

  /** With the settlement job's default grant expiry. */
  public IngestConfig(int port, String bootstrap, String topicPrefix, String tokenSecret, String adminToken,
      Duration outcomeWait, int admissionPerSecond, double userPerSecond, int maxInFlight, int maxBodyBytes, String host,
      int eventLoops, Bounds bounds) {
    this(port, bootstrap, topicPrefix, tokenSecret, adminToken, outcomeWait, admissionPerSecond, userPerSecond,
        maxInFlight, maxBodyBytes, host, eventLoops, bounds, DEFAULT_GRANT_EXPIRY);
  }

  /** With the default bounds. */
  public IngestConfig(int port, String bootstrap, String topicPrefix, String tokenSecret, String adminToken,
      Duration outcomeWait, int admissionPerSecond, double userPerSecond, int maxInFlight, int maxBodyBytes, String host,
      int eventLoops) {
    this(port, bootstrap, topicPrefix, tokenSecret, adminToken, outcomeWait, admissionPerSecond, userPerSecond,
        maxInFlight, maxBodyBytes, host, eventLoops, Bounds.defaults());
  }

  /** Loopback, on every core. */
  public IngestConfig(int port, String bootstrap, String topicPrefix, String tokenSecret, String adminToken,
      Duration outcomeWait, int admissionPerSecond, double userPerSecond, int maxInFlight, int maxBodyBytes) {
    this(port, bootstrap, topicPrefix, tokenSecret, adminToken, outcomeWait, admissionPerSecond, userPerSecond,
        maxInFlight, maxBodyBytes, LOOPBACK, cores());
  }

  /** The number of cores this JVM may use: the default number of event loops. */
  public static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  public static IngestConfig defaults(String bootstrap, String tokenSecret, String adminToken) {
    return new IngestConfig(8080, bootstrap, "", tokenSecret, adminToken, Duration.ofSeconds(1), 20_000, 5, 10_000, 4096);
  }

  public IngestConfig withPort(int p) {
    return new IngestConfig(p, bootstrap, topicPrefix, tokenSecret, adminToken, outcomeWait, admissionPerSecond,
        userPerSecond, maxInFlight, maxBodyBytes, host, eventLoops, bounds, grantExpiry);
  }

  public IngestConfig withTopicPrefix(String prefix) {
    return new IngestConfig(port, bootstrap, prefix, tokenSecret, adminToken, outcomeWait, admissionPerSecond,
        userPerSecond, maxInFlight, maxBodyBytes, host, eventLoops, bounds, grantExpiry);
  }

  public IngestConfig withAdmission(int perSecond, double perUser, int inFlight) {
    return new IngestConfig(port, bootstrap, topicPrefix, tokenSecret, adminToken, outcomeWait, perSecond, perUser,
        inFlight, maxBodyBytes, host, eventLoops, bounds, grantExpiry);
  }

  public IngestConfig withOutcomeWait(Duration wait) {
    return new IngestConfig(port, bootstrap, topicPrefix, tokenSecret, adminToken, wait, admissionPerSecond,
        userPerSecond, maxInFlight, maxBodyBytes, host, eventLoops, bounds, grantExpiry);
  }

  /** Where to listen and on how many event loops. */
  public IngestConfig listening(String h, int loops) {
    return new IngestConfig(port, bootstrap, topicPrefix, tokenSecret, adminToken, outcomeWait, admissionPerSecond,
        userPerSecond, maxInFlight, maxBodyBytes, h, loops, bounds, grantExpiry);
  }

  public IngestConfig withBounds(Bounds b) {
    return new IngestConfig(port, bootstrap, topicPrefix, tokenSecret, adminToken, outcomeWait, admissionPerSecond,
        userPerSecond, maxInFlight, maxBodyBytes, host, eventLoops, b, grantExpiry);
  }

  /** The settlement job's grant expiry, which this instance assumes (its {@code --expiry-seconds}). */
  public IngestConfig withGrantExpiry(Duration expiry) {
    return new IngestConfig(port, bootstrap, topicPrefix, tokenSecret, adminToken, outcomeWait, admissionPerSecond,
        userPerSecond, maxInFlight, maxBodyBytes, host, eventLoops, bounds, expiry);
  }
}
