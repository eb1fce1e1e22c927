package io.redpacket.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.OutcomeCode;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Tokens;
import io.redpacket.kafka.Await;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.stack.SharedKafka;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A job that stops answering, as allocation does while it restarts after a TaskManager kill: Kafka
 * takes every shake, no outcome comes back. The ingest says so and clients are not kept waiting;
 * an outcome written to the topic, as the job writes them once it is back, ends it.
 */
class BackendRecoveryTest {
  static final String SECRET = "test-secret-0123456789";
  /** Far longer than a shake answered at Kafka's acknowledgement may take. */
  static final Duration OUTCOME_WAIT = Duration.ofSeconds(10);
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final Tokens tokens = new Tokens(SECRET);
  int port;

  @Test
  void aSilentAllocationIsShownShakesGet202AtOnceSharingWaitsAndAnOutcomeEndsIt() throws Exception {
    String bootstrap = SharedKafka.bootstrap();
    String prefix = BadInputAndOutageTest.setUp(bootstrap, "r" + UUID.randomUUID().toString().substring(0, 6) + "-");
    try (IngestServer server = IngestServer.start(IngestConfig.defaults(bootstrap, SECRET, "admin-0123456789")
            .withPort(0).withTopicPrefix(prefix).withAdmission(1000, 1000, 1000).withOutcomeWait(OUTCOME_WAIT));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ProducerSettings.reliable(bootstrap))) {
      port = server.port();
      Await.until("ingest ready", Duration.ofSeconds(30), () -> get("/health/ready").statusCode() == 200);
      assertThat(backends().getString("allocation")).isEqualTo("answering");

      // No job answers: the first shake waits its whole outcome wait, and the ingest sees the silence.
      CompletableFuture<HttpResponse<String>> first = shakeAsync("alice", "first");
      Await.until("allocation seen silent", Duration.ofSeconds(15),
          () -> backends().getString("allocation").startsWith("silent for "));
      HttpResponse<String> ready = get("/health/ready");
      assertThat(ready.statusCode()).as("still ready: every instance waits on the same jobs").isEqualTo(200);
      assertThat(new JsonObject(ready.body()).getString("backendNote")).contains("not answering");
      assertThat(backends().getString("settlement")).isEqualTo("answering");
      Await.until("the load level and the gauge say so", Duration.ofSeconds(5), () -> {
        String m = get("/metrics").body();
        return level(m) >= 1 && gauge(m, "allocation") > 0
            && gauge(m, "settlement") == 0;
      });

      long t0 = System.nanoTime();
      HttpResponse<String> shake = shakeAsync("bob", "during").get(30, TimeUnit.SECONDS);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      assertThat(shake.statusCode()).as(shake.body()).isEqualTo(202);
      assertThat(new JsonObject(shake.body()).getString("poll")).isEqualTo("/v1/shakes/during?poolId=wave");
      assertThat(millis).as("202 once Kafka has it, not after the outcome wait").isLessThan(OUTCOME_WAIT.toMillis() / 2);

      HttpResponse<String> share = post("/v1/grants/wave%2F0%2F1/share", "alice", "sh-1");
      assertThat(share.statusCode()).as("sharing waits while a job recovers: " + share.body()).isEqualTo(429);
      assertThat(share.headers().firstValue("Retry-After")).isPresent();
      assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).as("the first one too: 202, never a hang")
          .isEqualTo(202);

      // The job is back and answers what waited: the ingest says it answers, and waits for answers again.
      outcome(producer, prefix, "first", "alice");
      Await.until("allocation answering again", Duration.ofSeconds(10),
          () -> backends().getString("allocation").equals("answering"));
      Await.until("the gauge falls back", Duration.ofSeconds(5), () -> gauge(get("/metrics").body(), "allocation") == 0);
      CompletableFuture<HttpResponse<String>> after = shakeAsync("carol", "after");
      Await.until("the shake after waits for its outcome", Duration.ofSeconds(10),
          () -> get("/metrics").body().contains("redpacket_ingest_forwarded_in_flight 1.0"));
      outcome(producer, prefix, "after", "carol");
      HttpResponse<String> answered = after.get(30, TimeUnit.SECONDS);
      assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
      assertThat(new JsonObject(answered.body()).getString("answeredBy")).isEqualTo("backend");
    }
  }

  /** An outcome on the topic, as the allocation job writes it. */
  static void outcome(KafkaProducer<byte[], byte[]> producer, String prefix, String shakeId, String user)
      throws Exception {
    producer.send(new ProducerRecord<>(Topics.named(prefix, Topics.SHAKE_OUTCOMES),
        shakeId.getBytes(StandardCharsets.UTF_8), Codecs.OUTCOME.encode(new ShakeOutcome(shakeId, user, "wave", 0,
            OutcomeCode.NOT_LUCKY, null, null, null, false, System.currentTimeMillis())))).get();
  }

  static double level(String metrics) {
    return value(metrics, "\nredpacket_ingest_load_level ");
  }

  static double gauge(String metrics, String job) {
    return value(metrics, "redpacket_ingest_backend_silent_seconds{job=\"" + job + "\"} ");
  }

  static double value(String metrics, String line) {
    int at = metrics.indexOf(line);
    assertThat(at).as(line).isNotNegative();
    int end = metrics.indexOf('\n', at + line.length());
    return Double.parseDouble(metrics.substring(at + line.length(), end).trim());
  }

  JsonObject backends() throws Exception {
    return new JsonObject(get("/health/ready").body()).getJsonObject("backends");
  }

  CompletableFuture<HttpResponse<String>> shakeAsync(String user, String shakeId) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/shakes"))
        .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + token(user))
        .POST(HttpRequest.BodyPublishers.ofString("{\"shakeId\":\"" + shakeId + "\",\"poolId\":\"wave\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String user, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + token(user))
        .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  String token(String user) {
    return tokens.mint(user, System.currentTimeMillis() + 600_000);
  }
}
