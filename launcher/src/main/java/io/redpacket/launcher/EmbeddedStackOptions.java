package io.redpacket.launcher;

import io.redpacket.cluster.Checks;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the embedded stack (one broker and a MiniCluster in this JVM) keeps its data and serves Flink's UI. */
final class EmbeddedStackOptions {
  @Option(names = "--data-dir", description = "where Kafka and Flink keep data (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--ui-port", description = "Flink REST and web UI port (default: ${DEFAULT-VALUE})")
  int uiPort = 8081;

  EmbeddedStackOptions(String dataDir) {
    this.dataDir = Path.of(dataDir);
  }

  void check() {
    Checks.range("--ui-port", uiPort, 1024, 65535);
  }
}
