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
 */
public record IngestConfig(int port, String bootstrap, String topicPrefix, String tokenSecret, String adminToken,
    Duration outcomeWait, int admissionPerSecond, double userPerSecond, int maxInFlight, int maxBodyBytes, String host,
    int eventLoops) {

  /** Loopback: a local run is not reachable from other machines unless asked. */
  public static final String LOOPBACK = "127.0.0.1";

  public IngestConfig {
    if (eventLoops < 1) {
      throw new IllegalArgumentException("event loops must be at least 1, was " + eventLoops);
    }
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
        userPerSecond, maxInFlight, maxBodyBytes, host, eventLoops);
  }

  public IngestConfig withTopicPrefix(String prefix) {
    return new IngestConfig(port, bootstrap, prefix, tokenSecret, adminToken, outcomeWait, admissionPerSecond,
        userPerSecond, maxInFlight, maxBodyBytes, host, eventLoops);
  }

  public IngestConfig withAdmission(int perSecond, double perUser, int inFlight) {
    return new IngestConfig(port, bootstrap, topicPrefix, tokenSecret, adminToken, outcomeWait, perSecond, perUser,
        inFlight, maxBodyBytes, host, eventLoops);
  }

  public IngestConfig withOutcomeWait(Duration wait) {
    return new IngestConfig(port, bootstrap, topicPrefix, tokenSecret, adminToken, wait, admissionPerSecond,
        userPerSecond, maxInFlight, maxBodyBytes, host, eventLoops);
  }

  /** Where to listen and on how many event loops. */
  public IngestConfig listening(String h, int loops) {
    return new IngestConfig(port, bootstrap, topicPrefix, tokenSecret, adminToken, outcomeWait, admissionPerSecond,
        userPerSecond, maxInFlight, maxBodyBytes, h, loops);
  }
}
