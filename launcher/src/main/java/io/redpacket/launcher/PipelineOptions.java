package io.redpacket.launcher;

import io.redpacket.cluster.Checks;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How the three jobs run, for the commands that start them (stack up, cluster up, demo). A mixin
 * whose defaults are the command's: picocli keeps the values an instance starts with.
 */
final class PipelineOptions {
  @Option(names = "--partitions", description = "partitions per topic (default: ${DEFAULT-VALUE})")
  int partitions = 8;

  @Option(names = "--parallelism", description = "parallelism of each job (default: ${DEFAULT-VALUE})")
  int parallelism = 2;

  @Option(names = "--expiry-seconds", description = "refund grants left unopened this long after they were granted"
      + " (default: ${DEFAULT-VALUE}; 86400, i.e. 24 h, in production)")
  long expirySeconds;

  @Option(names = "--share-expiry-seconds", description = "a share is open for claims this long, then what is left is"
      + " refunded (default: ${DEFAULT-VALUE}; 86400, i.e. 24 h, in production)")
  long shareExpirySeconds;

  private final long maxExpirySeconds;

  /** @param maxExpirySeconds the longest expiry the command accepts (a demo waits for it) */
  PipelineOptions(long expirySeconds, long shareExpirySeconds, long maxExpirySeconds) {
    this.expirySeconds = expirySeconds;
    this.shareExpirySeconds = shareExpirySeconds;
    this.maxExpirySeconds = maxExpirySeconds;
  }

  /** A day, as in production; at most a year. */
  static PipelineOptions production() {
    return new PipelineOptions(86_400, 86_400, 31_536_000);
  }

  void check() {
    Checks.range("--expiry-seconds", expirySeconds, 1, maxExpirySeconds);
    Checks.range("--share-expiry-seconds", shareExpirySeconds, 1, maxExpirySeconds);
    Checks.range("--partitions", partitions, 1, 256);
    Checks.range("--parallelism", parallelism, 1, 64);
  }

  Duration expiry() {
    return Duration.ofSeconds(expirySeconds);
  }

  Duration shareExpiry() {
    return Duration.ofSeconds(shareExpirySeconds);
  }
}
