package io.redpacket.launcher;

import io.redpacket.cluster.Checks;
import picocli.CommandLine.Option;

/** A wave of shakes (simulate, demo); defaults are the command's. */
final class WaveOptions {
  @Option(names = "--shakes", description = "shakes in the wave (default: ${DEFAULT-VALUE})")
  long shakes = 200_000;

  @Option(names = "--users", description = "distinct users (default: ${DEFAULT-VALUE})")
  int users;

  @Option(names = "--rate", description = "shakes per second written straight to Kafka, 0 for as fast as it takes"
      + " them (default: ${DEFAULT-VALUE})")
  long rate;

  @Option(names = "--concurrency", description = "over HTTP: shakes in flight at once (default: ${DEFAULT-VALUE})")
  int concurrency;

  WaveOptions(int users, long rate, int concurrency) {
    this.users = users;
    this.rate = rate;
    this.concurrency = concurrency;
  }

  void check() {
    Checks.range("--shakes", shakes, 1, 1_000_000_000L);
    Checks.range("--users", users, 1, 1_000_000_000L);
    Checks.range("--rate", rate, 0, 10_000_000L);
    Checks.range("--concurrency", concurrency, 1, 100_000);
  }
}
