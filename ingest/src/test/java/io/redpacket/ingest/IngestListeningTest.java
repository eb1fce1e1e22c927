package io.redpacket.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Where the ingest listens and on how many event loops: what an operator relies on when choosing
 * {@code --host} and {@code --event-loops}. No broker is needed: the health and metrics routes
 * answer without one.
 */
class IngestListeningTest {
  private static final String NO_KAFKA = "127.0.0.1:1";
  private static final Pattern CONNECTIONS = Pattern.compile("redpacket_ingest_connections_total\\{event_loop=\"([^\"]+)\"} (\\S+)");

  private static IngestConfig config(String host, int loops) {
    return new IngestConfig(0, NO_KAFKA, "", "listening-secret-0123", "listening-admin-0123", Duration.ofSeconds(1), 10,
        5, 100, 4096, host, loops);
  }

  @Test
  void connectionsAreServedByAsManyEventLoopsAsAskedFor() throws Exception {
    try (IngestServer server = IngestServer.start(config(IngestConfig.LOOPBACK, 3))) {
      for (int i = 0; i < 9; i++) { // each a new connection; Vert.x hands them to the loops' servers in turn
        assertThat(get(InetAddress.getLoopbackAddress(), server.port(), "/health/live")).startsWith("HTTP/1.1 200");
      }
      Map<String, Double> byLoop = connectionsByLoop(get(InetAddress.getLoopbackAddress(), server.port(), "/metrics"));
      assertThat(byLoop).as("connections by event-loop thread: %s", byLoop).hasSize(3);
      assertThat(byLoop.values()).as("every loop served some").allMatch(n -> n >= 1);
    }
  }

  @Test
  void oneEventLoopWhenAskedServesEveryConnectionOnIt() throws Exception {
    try (IngestServer server = IngestServer.start(config(IngestConfig.LOOPBACK, 1))) {
      for (int i = 0; i < 4; i++) {
        get(InetAddress.getLoopbackAddress(), server.port(), "/health/live");
      }
      assertThat(connectionsByLoop(get(InetAddress.getLoopbackAddress(), server.port(), "/metrics"))).hasSize(1);
    }
  }

  @Test
  void byDefaultItListensOnLoopbackOnlyAndOnEveryInterfaceWhenAsked() throws Exception {
    Optional<InetAddress> external = nonLoopbackAddress();
    assumeThat(external).as("this machine has an address besides loopback").isPresent();
    IngestConfig byDefault = IngestConfig.defaults(NO_KAFKA, "listening-secret-0123", "listening-admin-0123").withPort(0);
    assertThat(byDefault.host()).isEqualTo("127.0.0.1");
    assertThat(byDefault.eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
    try (IngestServer server = IngestServer.start(byDefault)) {
      assertThat(get(InetAddress.getLoopbackAddress(), server.port(), "/health/live")).startsWith("HTTP/1.1 200");
      assertThatThrownBy(() -> get(external.get(), server.port(), "/health/live"))
          .as("not reachable on %s", external.get()).isInstanceOf(ConnectException.class);
      assertThat(IngestMain.listeningLine(server)).startsWith("ingest listening on http://127.0.0.1:" + server.port())
          .contains("loopback only");
    }
    try (IngestServer server = IngestServer.start(config("0.0.0.0", 1))) {
      assertThat(get(external.get(), server.port(), "/health/live")).startsWith("HTTP/1.1 200");
      assertThat(IngestMain.listeningLine(server)).startsWith("ingest listening on http://0.0.0.0:" + server.port())
          .contains("every interface");
    }
  }

  @Test
  void withAnAdminPortMetricsAndAdminRoutesAreServedThereAndNotOnThePublicPort() throws Exception {
    IngestConfig c = config(IngestConfig.LOOPBACK, 1);
    try (IngestServer server = IngestServer.start(c.withBounds(c.bounds().withAdminPort(0)))) {
      InetAddress lo = InetAddress.getLoopbackAddress();
      assertThat(server.adminPort()).isPositive().isNotEqualTo(server.port());
      assertThat(get(lo, server.port(), "/health/live")).startsWith("HTTP/1.1 200");
      assertThat(get(lo, server.port(), "/metrics")).startsWith("HTTP/1.1 404");
      assertThat(post(lo, server.port(), "/v1/admin/pools")).startsWith("HTTP/1.1 404");
      assertThat(get(lo, server.adminPort(), "/metrics")).startsWith("HTTP/1.1 200")
          .contains("redpacket_ingest_requests_total");
      assertThat(post(lo, server.adminPort(), "/v1/admin/pools")).as("the admin route still wants its token")
          .startsWith("HTTP/1.1 401");
      assertThat(get(lo, server.adminPort(), "/health/ready")).contains("\"kafka\":false");
    }
    try (IngestServer server = IngestServer.start(config(IngestConfig.LOOPBACK, 1))) {
      assertThat(server.adminPort()).as("by default, none").isEqualTo(-1);
      assertThat(get(InetAddress.getLoopbackAddress(), server.port(), "/metrics")).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void badListeningFlagsAreUsageErrorsThatSayWhy() {
    assertThat(usageError("--event-loops", "0")).contains("--event-loops must be from 1 to 256, was 0");
    assertThat(usageError("--event-loops", "abc")).contains("--event-loops").contains("abc");
    assertThat(usageError("--host", "not a host!")).contains("--host must be an address");
    assertThat(usageError("--host", "no-such-host.invalid")).contains("--host no-such-host.invalid is not a known address");
    assertThat(usageError("--admin-port", "70000")).contains("--admin-port must be from -1 to 65535");
    assertThat(usageError("--max-connections", "0")).contains("--max-connections must be from 1");
    assertThat(usageError("--header-deadline-seconds", "0")).contains("--header-deadline-seconds must be from 1");
    assertThat(usageError("--cache-megabytes", "99999999")).contains("--cache-megabytes").contains("heap");
  }

  private static String usageError(String... flag) {
    StringWriter err = new StringWriter();
    CommandLine cli = IngestMain.commandLine().setErr(new PrintWriter(err));
    String[] args = new String[flag.length + 3];
    args[0] = "--dev";
    args[1] = "--bootstrap";
    args[2] = NO_KAFKA;
    System.arraycopy(flag, 0, args, 3, flag.length);
    assertThat(cli.execute(args)).as("exit code of %s", String.join(" ", flag)).isEqualTo(2);
    return err.toString();
  }

  private static Map<String, Double> connectionsByLoop(String metrics) {
    Map<String, Double> byLoop = new TreeMap<>();
    Matcher m = CONNECTIONS.matcher(metrics);
    while (m.find()) {
      byLoop.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return byLoop;
  }

  /** One request on a connection of its own, closed after it: the whole response as text. */
  private static String get(InetAddress address, int port, String path) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String post(InetAddress address, int port, String path) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
          + "Connection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }
}
