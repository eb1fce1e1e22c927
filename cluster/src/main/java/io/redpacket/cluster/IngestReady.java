package io.redpacket.cluster;

import io.redpacket.kafka.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Waits, bounded, until an ingest answers {@code /health/ready} with 200. */
public final class IngestReady {
  private IngestReady() {}

  public static void await(int port) {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
        .timeout(Duration.ofSeconds(5)).build();
    Await.until("the ingest on port " + port + " to be ready (is Kafka up?)", Duration.ofSeconds(60),
        () -> client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
  }
}
