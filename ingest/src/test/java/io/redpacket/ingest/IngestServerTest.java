package io.redpacket.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.avro.SplitMode;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Decision;
import io.redpacket.core.Keys;
import io.redpacket.core.MemorySetStore;
import io.redpacket.core.SetAllocator;
import io.redpacket.core.Tokens;
import io.redpacket.simulator.PoolWriter;
import io.redpacket.stack.Await;
import io.redpacket.stack.SharedKafka;
import io.redpacket.stack.TopicAdmin;
import io.redpacket.stack.TopicReader;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ingest against the real broker. A small backend loop stands in for the allocation job
 * (the same {@link SetAllocator} rules, reading {@code shakes} and writing {@code shake-outcomes}),
 * so these tests are about the edge, not about Flink.
 */
class IngestServerTest {
  static final String SECRET = "test-secret-0123456789";
  static final String ADMIN = "admin-token-for-tests";
  final String bootstrap = SharedKafka.bootstrap();
  final String prefix = "i" + UUID.randomUUID().toString().substring(0, 8) + "-";
  final Tokens tokens = new Tokens(SECRET);
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final AtomicBoolean backendRunning = new AtomicBoolean(true);
  IngestServer server;
  Thread backend;
  PoolDefinition pool;

  @BeforeEach
  void start() throws Exception {
    TopicAdmin.ensure(bootstrap, Topics.ALL.stream().map(t -> Topics.named(prefix, t)).toList(),
        Topics.COMPACTED.stream().map(t -> Topics.named(prefix, t)).toList(), 2);
    long now = System.currentTimeMillis();
    pool = PoolDefinition.newBuilder().setPoolId("wave").setSponsor("acme").setTotalCents(10_000).setTotalCount(5)
        .setSets(2).setMinCents(1).setMaxCents(10_000).setStartMillis(now - 1000).setEndMillis(now + 600_000)
        .setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false).setCreatedMillis(now).build();
    PoolWriter.create(bootstrap, Topics.named(prefix, Topics.POOLS), pool);
    server = IngestServer.start(IngestConfig.defaults(bootstrap, SECRET, ADMIN).withPort(0).withTopicPrefix(prefix)
        .withAdmission(1000, 1, 1000));
    awaitReady();
    backend = new Thread(this::backendLoop, "stand-in-backend");
    backend.start();
  }

  @AfterEach
  void stop() throws Exception {
    backendRunning.set(false);
    backend.join(5000);
    server.close();
  }

  void backendLoop() {
    Map<String, MemorySetStore> stores = new HashMap<>();
    String shakes = Topics.named(prefix, Topics.SHAKES);
    try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(bootstrap, true);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(io.redpacket.simulator.ShakeProducer.config(bootstrap))) {
      List<TopicPartition> parts = List.of(new TopicPartition(shakes, 0), new TopicPartition(shakes, 1));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      while (backendRunning.get()) {
        for (var r : consumer.poll(Duration.ofMillis(50))) {
          Shake s = Codecs.SHAKE.decode(r.value());
          Decision d = SetAllocator.decide(pool, s, stores.computeIfAbsent(Keys.set(s.getPoolId(), s.getSetId()),
              k -> new MemorySetStore()));
          producer.send(new ProducerRecord<>(Topics.named(prefix, Topics.SHAKE_OUTCOMES),
              s.getShakeId().getBytes(StandardCharsets.UTF_8), Codecs.OUTCOME.encode(d.outcome())));
        }
      }
    }
  }

  void awaitReady() {
    Await.until("ingest ready", Duration.ofSeconds(30), () -> get("/health/ready", null).statusCode() == 200);
  }

  HttpResponse<String> post(String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String token(String user) {
    return tokens.mint(user, System.currentTimeMillis() + 60_000);
  }

  JsonObject shake(String user, String shakeId, String poolId) throws Exception {
    HttpResponse<String> r = post("/v1/shakes", token(user), new JsonObject().put("shakeId", shakeId).put("poolId", poolId).encode());
    return new JsonObject(r.body()).put("_status", r.statusCode());
  }

  @Test
  void aShakeIsForwardedAndAnsweredWithItsOutcomeAndARetryGetsTheSameGrant() throws Exception {
    JsonObject won = shake("alice", "s-1", "wave");
    assertThat(won.getInteger("_status")).as(won.encode()).isEqualTo(200);
    assertThat(won.getString("outcome")).isEqualTo("WON");
    assertThat(won.getString("answeredBy")).isEqualTo("backend");
    assertThat(won.getString("grantId")).startsWith("wave/");
    JsonObject again = shake("alice", "s-1", "wave");
    assertThat(again.getString("grantId")).isEqualTo(won.getString("grantId"));
    assertThat(again.getBoolean("duplicate")).isTrue();
    JsonObject polled = new JsonObject(get("/v1/shakes/s-1?poolId=wave", token("alice")).body());
    assertThat(polled.getString("grantId")).isEqualTo(won.getString("grantId"));
    assertThat(get("/v1/shakes/s-1?poolId=wave", token("bob")).statusCode()).as("only its owner sees it").isEqualTo(404);
    // The shake on the topic carries the user from the token and the set the edge computed.
    Shake written = Codecs.SHAKE.decode(TopicReader.readAll(bootstrap, Topics.named(prefix, Topics.SHAKES), true).get(0).value());
    assertThat(written.getUserId()).isEqualTo("alice");
  }

  @Test
  void theEdgeAnswersUnknownAndExhaustedPoolsAndUsersOverTheirRateItself() throws Exception {
    JsonObject unknown = shake("alice", "s-1", "no-such-pool");
    assertThat(unknown.getString("outcome")).isEqualTo("UNKNOWN_POOL");
    assertThat(unknown.getString("answeredBy")).isEqualTo("edge");

    int tooFast = 0;
    for (int i = 0; i < 15; i++) {
      HttpResponse<String> r = post("/v1/shakes", token("script"), "{\"shakeId\":\"x" + i + "\",\"poolId\":\"no-such-pool\"}");
      if (r.statusCode() == 429) {
        tooFast++;
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
      }
    }
    assertThat(tooFast).as("unknown pools are answered before the rate limit; no 429").isZero();
    for (int i = 0; i < 15; i++) {
      HttpResponse<String> r = post("/v1/shakes", token("script"), "{\"shakeId\":\"y" + i + "\",\"poolId\":\"wave\"}");
      if (r.statusCode() == 429) {
        tooFast++;
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(new JsonObject(r.body()).getString("code")).isEqualTo("too_many_requests");
      }
    }
    assertThat(tooFast).as("a burst of 15 from one user allowed 1/s, bursts of 2").isGreaterThanOrEqualTo(10);
    assertThat(get("/metrics", null).body()).contains("redpacket_ingest_shake_answers_total{path=\"local\",reason=\"unknown_pool\"}")
        .contains("redpacket_ingest_shake_answers_total{path=\"shed\",reason=\"user_rate\"}");
  }

  @Test
  void tokensAndTheAdminEndpointAreChecked() throws Exception {
    assertThat(post("/v1/shakes", null, "{\"shakeId\":\"a\",\"poolId\":\"wave\"}").statusCode()).isEqualTo(401);
    assertThat(post("/v1/shakes", token("alice") + "x", "{\"shakeId\":\"a\",\"poolId\":\"wave\"}").statusCode()).isEqualTo(401);
    assertThat(post("/v1/shakes", new Tokens("another-secret-000000").mint("alice", Long.MAX_VALUE),
        "{\"shakeId\":\"a\",\"poolId\":\"wave\"}").statusCode()).isEqualTo(401);
    assertThat(post("/v1/shakes", tokens.mint("alice", 1), "{\"shakeId\":\"a\",\"poolId\":\"wave\"}").body()).contains("expired");

    String pool = new JsonObject().put("poolId", "p2").put("sponsor", "acme").put("totalCents", 1000).put("totalCount", 100)
        .put("sets", 2).put("minCents", 20).put("maxCents", 100).put("startMillis", 0).put("endMillis", 1000)
        .put("splitMode", "LUCKY").put("perUserLimit", 1).encode();
    assertThat(post("/v1/admin/pools", token("alice"), pool).statusCode()).isEqualTo(401);
    HttpResponse<String> impossible = post("/v1/admin/pools", ADMIN, pool);
    assertThat(impossible.statusCode()).isEqualTo(422);
    assertThat(impossible.body()).contains("exceeds totalCents");
    HttpResponse<String> created = post("/v1/admin/pools", ADMIN, pool.replace("\"minCents\":20", "\"minCents\":1"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
  }
}
