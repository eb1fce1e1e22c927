package io.redpacket.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Waits, bounded, until an ingest answers {@code /health/ready} with 200. */
final class IngestReady {
  private IngestReady() {}

  static void await(int port) throws InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
        .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int status = 0;
    while (System.nanoTime() < deadline) {
      try {
        status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status == 200) {
          return;
        }
      } catch (IOException notYet) {
        status = -1;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the ingest was not ready within 60 s (last status " + status + "); is Kafka up?");
  }
}
