package io.redpacket.ingest;

import java.time.Duration;

/**
 * Settings of one ingest instance.
 *
 * @param outcomeWait how long a forwarded shake waits for its outcome before {@code 202} and a poll URL
 * @param admissionPerSecond shakes per second this instance forwards to the backend; the rest are sampled out
 * @param userPerSecond sustained shakes per second one user may make (bursts of twice that)
 * @param maxInFlight forwarded shakes awaiting Kafka or their outcome; beyond it, {@code 429}
 */
public record IngestConfig(int port, String bootstrap, String topicPrefix, String tokenSecret, String adminToken,
    Duration outcomeWait, int admissionPerSecond, double userPerSecond, int maxInFlight, int maxBodyBytes) {

  public static IngestConfig defaults(String bootstrap, String tokenSecret, String adminToken) {
    return new IngestConfig(8080, bootstrap, "", tokenSecret, adminToken, Duration.ofSeconds(1), 20_000, 5, 10_000, 4096);
  }

  public IngestConfig withPort(int p) {
    return new IngestConfig(p, bootstrap, topicPrefix, tokenSecret, adminToken, outcomeWait, admissionPerSecond,
        userPerSecond, maxInFlight, maxBodyBytes);
  }

  public IngestConfig withTopicPrefix(String prefix) {
    return new IngestConfig(port, bootstrap, prefix, tokenSecret, adminToken, outcomeWait, admissionPerSecond,
        userPerSecond, maxInFlight, maxBodyBytes);
  }

  public IngestConfig withAdmission(int perSecond, double perUser, int inFlight) {
    return new IngestConfig(port, bootstrap, topicPrefix, tokenSecret, adminToken, outcomeWait, perSecond, perUser,
        inFlight, maxBodyBytes);
  }
}
