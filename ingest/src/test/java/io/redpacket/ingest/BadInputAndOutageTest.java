package io.redpacket.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.codec.Topics;
import io.redpacket.core.Tokens;
import io.redpacket.kafka.Await;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.redpacket.stack.LocalKafka;
import io.redpacket.stack.SharedKafka;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BadInputAndOutageTest {
  static final String SECRET = "test-secret-0123456789";
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static PoolDefinition pool() {
    long now = System.currentTimeMillis();
    return PoolDefinition.newBuilder().setPoolId("wave").setSponsor("acme").setTotalCents(1_000_000).setTotalCount(1000)
        .setSets(4).setMinCents(1).setMaxCents(10_000).setStartMillis(now - 1000).setEndMillis(now + 600_000)
        .setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false).setCreatedMillis(now).build();
  }

  static String setUp(String bootstrap, String prefix) {
    TopicAdmin.ensure(bootstrap, Topics.ALL.stream().map(t -> Topics.named(prefix, t)).toList(),
        Topics.COMPACTED.stream().map(t -> Topics.named(prefix, t)).toList(), 1);
    PoolWriter.create(bootstrap, Topics.named(prefix, Topics.POOLS), pool());
    return prefix;
  }

  int post(int port, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/shakes"))
        .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  /** Sends raw bytes and returns the status line's code, or -1 if the connection was dropped. */
  static int raw(int port, byte[] request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(12);
      String line = new String(head, StandardCharsets.ISO_8859_1);
      return line.startsWith("HTTP/1.1 ") ? Integer.parseInt(line.substring(9, 12)) : -1;
    }
  }

  @Test
  void aLargeSetOfMalformedRequestsEachGetsAClear4xxAndTheServiceStaysUp() throws Exception {
    String bootstrap = SharedKafka.bootstrap();
    String prefix = setUp(bootstrap, "b" + UUID.randomUUID().toString().substring(0, 6) + "-");
    try (IngestServer server = IngestServer.start(IngestConfig.defaults(bootstrap, SECRET, "admin-0123456789")
        .withPort(0).withTopicPrefix(prefix).withAdmission(0, 1000, 1000))) {
      int port = server.port();
      String token = new Tokens(SECRET).mint("alice", System.currentTimeMillis() + 600_000);
      List<String> bodies = new ArrayList<>(List.of("", "{", "}", "[]", "null", "42", "\"x\"", "{\"shakeId\":1,\"poolId\":\"wave\"}",
          "{\"shakeId\":\"a\"}", "{\"poolId\":\"wave\"}", "{\"shakeId\":\"a\",\"poolId\":\"wave\",\"extra\":true}",
          "{\"shakeId\":\"" + "a".repeat(200) + "\",\"poolId\":\"wave\"}", "{\"shakeId\":\"a b\",\"poolId\":\"wave\"}",
          "{\"shakeId\":\"a\",\"poolId\":[\"wave\"]}", "{\"shakeId\":\"a\",\"poolId\":\"wave\",\"device\":{}}",
          "{\"shakeId\":\"a\",\"poolId\":\"wave\"", "{\"shakeId\":\"\u0000\",\"poolId\":\"wave\"}",
          "x".repeat(5000)));
      Random random = new Random(7);
      String good = "{\"shakeId\":\"abc\",\"poolId\":\"wave\",\"device\":\"ios\"}";
      for (int i = 0; i < 300; i++) { // truncations and random byte flips of a valid body
        String b = good.substring(0, random.nextInt(good.length()));
        char[] chars = good.toCharArray();
        chars[random.nextInt(chars.length)] = (char) (33 + random.nextInt(90));
        bodies.add(random.nextBoolean() ? b : new String(chars));
      }
      int checked = 0;
      for (String body : bodies) {
        int status = post(port, token, body);
        // A random flip can leave a valid request: it is then answered (200/202), never with a 5xx.
        assertThat(status).as(body).isIn(200, 202, 400, 413);
        checked++;
      }
      for (String bad : List.of("", "Bearer", "v1.a.b.c", "x".repeat(600), "v1.YWxpY2U.99999999999999.AAAA")) {
        assertThat(post(port, bad, good)).as("token " + bad).isEqualTo(401);
      }
      assertThat(raw(port, ("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes())).isIn(414, 400, -1);
      assertThat(raw(port, ("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n").getBytes()))
          .isIn(431, 400, -1);
      assertThat(raw(port, "BREW /v1/shakes HTTP/1.1\r\nHost: x\r\n\r\n".getBytes())).isIn(405, 400, 501);
      assertThat(raw(port, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n".getBytes())).isEqualTo(404);
      assertThat(raw(port, "DELETE /v1/shakes HTTP/1.1\r\nHost: x\r\n\r\n".getBytes())).isEqualTo(405);
      assertThat(raw(port, "\u0001\u0002garbage\r\n\r\n".getBytes())).isIn(400, -1);
      assertThat(checked).isGreaterThan(300);
      // Still up, and still answering real shakes.
      assertThat(post(port, token, "{\"shakeId\":\"final\",\"poolId\":\"wave\"}")).isIn(200, 202);
      assertThat(raw(port, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes())).isEqualTo(200);
    }
  }

  @Test
  void withKafkaDownAShakeGets503NotASilentLossAndServiceResumesWhenKafkaReturns() throws Exception {
    try (LocalKafka kafka = LocalKafka.start(Files.createTempDirectory("ingest-outage"), false)) {
      String prefix = setUp(kafka.bootstrapServers(), "o-");
      try (IngestServer server = IngestServer.start(IngestConfig.defaults(kafka.bootstrapServers(), SECRET, "admin-0123456789")
          .withPort(0).withTopicPrefix(prefix).withAdmission(1000, 1000, 1000))) {
        int port = server.port();
        String token = new Tokens(SECRET).mint("alice", System.currentTimeMillis() + 600_000);
        // Until the pool is loaded the edge answers "unknown pool" (200); then a shake is accepted (202).
        Await.until("the ingest to know the pool", Duration.ofSeconds(30),
            () -> post(port, token, "{\"shakeId\":\"warm\",\"poolId\":\"wave\"}") == 202);
        assertThat(post(port, token, "{\"shakeId\":\"up-1\",\"poolId\":\"wave\"}")).as("accepted, no backend running").isEqualTo(202);


        kafka.stop();
        assertThat(post(port, token, "{\"shakeId\":\"down-1\",\"poolId\":\"wave\"}")).isEqualTo(503);

        kafka.restart();
        int[] attempt = {0};
        Await.until("a shake accepted (202) again once Kafka is back", Duration.ofSeconds(60),
            () -> post(port, token, "{\"shakeId\":\"back-" + attempt[0]++ + "\",\"poolId\":\"wave\"}") == 202);
        var ids = TopicReader.readAll(kafka.bootstrapServers(), Topics.named(prefix, Topics.SHAKES), true).stream()
            .map(r -> io.redpacket.codec.Codecs.SHAKE.decode(r.value()).getShakeId()).toList();
        assertThat(ids).as("every 202 is on the topic; the 503 is not").contains("up-1").doesNotContain("down-1");
      }
    }
  }

  /**
   * An open refused with 503 while Kafka is away (as while a broker fails over) and retried once it is
   * back carries the time its owner first asked for it, not the time of the retry: the settlement job
   * decides by that time whether it came before the grant's expiry, and a retry must not make it late.
   */
  @Test
  void anOpenRetriedAfterA503KeepsTheTimeItWasFirstAskedFor() throws Exception {
    try (LocalKafka kafka = LocalKafka.start(Files.createTempDirectory("ingest-open-outage"), false)) {
      String prefix = setUp(kafka.bootstrapServers(), "r-");
      try (IngestServer server = IngestServer.start(IngestConfig.defaults(kafka.bootstrapServers(), SECRET, "admin-0123456789")
          .withPort(0).withTopicPrefix(prefix).withAdmission(1000, 1000, 1000))) {
        int port = server.port();
        String alice = new Tokens(SECRET).mint("alice", System.currentTimeMillis() + 600_000);
        Await.until("the ingest to know the pool", Duration.ofSeconds(30),
            () -> post(port, alice, "{\"shakeId\":\"warm\",\"poolId\":\"wave\"}") == 202);

        kafka.stop();
        long before = System.currentTimeMillis();
        assertThat(send(port, alice, "/v1/grants/wave%2F1%2F7/open", "open-1")).as("Kafka is away").isEqualTo(503);
        long refusedAt = System.currentTimeMillis();

        kafka.restart();
        Await.until("the retried open accepted once Kafka is back", Duration.ofSeconds(60),
            () -> send(port, alice, "/v1/grants/wave%2F1%2F7/open", "open-1") == 202);
        var opens = TopicReader.readAll(kafka.bootstrapServers(), Topics.named(prefix, Topics.OPENS), true).stream()
            .map(r -> io.redpacket.codec.Codecs.OPEN.decode(r.value())).toList();
        // A try answered 503 may still have reached the broker: every record of it carries the first ask's time.
        assertThat(opens).isNotEmpty().allSatisfy(o -> {
          assertThat(o.getOpenId()).isEqualTo("open-1");
          assertThat(o.getTimestamp()).as("the first ask's time").isBetween(before, refusedAt);
        });
      }
    }
  }

  int send(int port, String token, String path, String idempotencyKey) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + token)
        .header("Idempotency-Key", idempotencyKey).POST(HttpRequest.BodyPublishers.noBody()).build();
    return http.send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
