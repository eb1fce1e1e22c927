package io.redpacket.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.kafka.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What clients that flood or dawdle can hold of one instance (finding 10 of the hostile-input
 * review): a cap on open connections, a deadline for a request's headers that trickling bytes do
 * not reset, and caches bounded by the memory their entries take. No broker is needed: the health
 * route answers without one.
 */
class ClientBoundsTest {
  private static final String NO_KAFKA = "127.0.0.1:1";

  private static IngestConfig config(IngestConfig.Bounds bounds) {
    return new IngestConfig(0, NO_KAFKA, "", "bounds-secret-0123456", "bounds-admin-0123456", Duration.ofSeconds(1),
        10, 5, 100, 4096, IngestConfig.LOOPBACK, 2).withBounds(bounds);
  }

  @Test
  void aClientTricklingHeadersIsClosedAtTheDeadlineThoughEveryByteWouldResetAnIdleTimeout() throws Exception {
    try (IngestServer server = IngestServer.start(config(new IngestConfig.Bounds(100, Duration.ofSeconds(1), 64L << 20, -1)));
        Socket slow = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      OutputStream out = slow.getOutputStream();
      out.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      AtomicBoolean dripping = new AtomicBoolean(true);
      Thread drip = new Thread(() -> { // a header line every 200 ms, never the blank line that ends them
        try {
          for (int i = 0; dripping.get() && i < 100; i++) {
            out.write(("X-Slow-" + i + ": a\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(200);
          }
        } catch (IOException | InterruptedException closed) {
          // the server closed it: what the test waits for
        }
      });
      drip.start();
      try {
        long start = System.nanoTime();
        slow.setSoTimeout(15_000);
        assertThat(readToEnd(slow.getInputStream())).as("nothing answered to headers never finished").isEmpty();
        double seconds = (System.nanoTime() - start) / 1e9;
        // The 1 s deadline and a 1 s sweep close it in about 2 s; the bound leaves a busy machine room and still
        // lies far inside the 20 s the client would drip for.
        assertThat(seconds).as("closed by the header deadline, long before the client stopped").isLessThan(10.0);
      } finally {
        dripping.set(false);
        drip.join(5000);
      }
      Await.until("the close to be counted", Duration.ofSeconds(5),
          () -> metrics(server).contains("redpacket_ingest_connections_closed_total{reason=\"header_deadline\"} 1.0"));
    }
  }

  @Test
  void aKeepAliveClientAskingSteadilyIsNeverClosed() throws Exception {
    try (IngestServer server = IngestServer.start(config(new IngestConfig.Bounds(100, Duration.ofSeconds(1), 64L << 20, -1)));
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      client.setSoTimeout(5000);
      // Ten requests on one connection, 300 ms apart: over 3 s in all, each wait under the 1 s header deadline.
      for (int i = 0; i < 10; i++) {
        client.getOutputStream().write(
            "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readResponse(client.getInputStream())).as("request " + (i + 1) + " on the same connection")
            .startsWith("HTTP/1.1 200");
        Thread.sleep(300);
      }
    }
  }

  @Test
  void connectionsOverTheCapAreClosedAndOneFreedIsTakenAgain() throws Exception {
    try (IngestServer server = IngestServer.start(config(new IngestConfig.Bounds(3, Duration.ofSeconds(30), 64L << 20, -1)))) {
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
          held.add(s);
          s.setSoTimeout(5000);
          s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
        }
        Await.until("three connections counted open", Duration.ofSeconds(5), () -> server.openConnections() == 3);
        try (Socket fourth = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
          fourth.setSoTimeout(5000);
          try {
            fourth.getOutputStream().write(
                "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          } catch (IOException alreadyClosed) {
            // closed before the request went out: as good
          }
          assertThat(readToEnd(fourth.getInputStream())).as("the fourth connection gets no answer").isEmpty();
        }
        held.remove(0).close();
        Await.until("a freed connection to be taken again", Duration.ofSeconds(10), () -> {
          try (Socket again = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            again.setSoTimeout(2000);
            again.getOutputStream().write(
                "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return readToEnd(again.getInputStream()).startsWith("HTTP/1.1 200");
          } catch (IOException e) {
            return false;
          }
        });
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
      // Scraped once the held connections are gone: a scrape is a connection too, and the cap is 3.
      Await.until("the refused connection to be counted", Duration.ofSeconds(10),
          () -> metrics(server).contains("redpacket_ingest_connections_closed_total{reason=\"over_cap\"}"));
    }
  }

  @Test
  void cachesAreBoundedByTheBytesOfTheirEntriesNotTheirCount() {
    long budget = 4L << 20;
    CacheBudget caches = new CacheBudget(budget);
    UserLimits limits = new UserLimits(new Replies(new IngestMetrics()), caches);
    String longId = "u".repeat(10_000);
    for (int i = 0; i < 2_000; i++) { // 2,000 users with 10 KB ids: 40 MB at two bytes a character, ten times the budget
      assertThat(limits.take("open", longId + i, UserLimits.REQUESTS, System.nanoTime())).isZero();
    }
    long used = caches.used(CacheBudget.Use.ROUTE_USERS);
    assertThat(caches.bytes(CacheBudget.Use.ROUTE_USERS)).isLessThan(budget);
    assertThat(used).as("the per-user limits' estimated bytes").isPositive()
        .isLessThanOrEqualTo(caches.bytes(CacheBudget.Use.ROUTE_USERS));
  }

  private static String metrics(IngestServer server) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      return readToEnd(s.getInputStream());
    } catch (IOException e) {
      return "";
    }
  }

  /** Reads until the server closes (or resets) the connection; a read timeout fails the test. */
  private static String readToEnd(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    byte[] buf = new byte[4096];
    while (true) {
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server neither answered nor closed the connection in time; read so far: " + sb);
      } catch (IOException reset) {
        return sb.toString();
      }
      if (n < 0) {
        return sb.toString();
      }
      sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
    }
  }

  /** One response on a kept-alive connection: headers, then a body of Content-Length bytes. */
  private static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after: " + head);
      }
      head.append((char) b);
    }
    var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
    in.readNBytes(length);
    return head.toString();
  }
}
