package io.redpacket.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.Open;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareState;
import io.redpacket.avro.SplitMode;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.ClientPolicy;
import io.redpacket.core.Decision;
import io.redpacket.core.Keys;
import io.redpacket.core.MemorySetStore;
import io.redpacket.core.SetAllocator;
import io.redpacket.core.Settlement;
import io.redpacket.core.ShareLinks;
import io.redpacket.core.Sharing;
import io.redpacket.core.Tokens;
import io.redpacket.kafka.Await;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.kafka.ProducerSettings;
import io.redpacket.kafka.TopicAdmin;
import io.redpacket.kafka.TopicReader;
import io.redpacket.stack.CheckedProducer;
import io.redpacket.stack.SharedKafka;
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
  final ShareLinks links = new ShareLinks(SECRET);
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
        .setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false).setCreatedMillis(now)
        .setShareCents(90L).setSharePieces(2).build();
    PoolWriter.create(bootstrap, Topics.named(prefix, Topics.POOLS), pool);
    // Answers wait up to 10 s for the stand-in backend (the default is 1 s): its first answers, through a fresh
    // consumer and producer, can take longer on a busy machine, and these tests check the answers themselves.
    server = IngestServer.start(IngestConfig.defaults(bootstrap, SECRET, ADMIN).withPort(0).withTopicPrefix(prefix)
        .withAdmission(1000, 1, 1000).withOutcomeWait(Duration.ofSeconds(10)));
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
        CheckedProducer producer = new CheckedProducer(ProducerSettings.reliable(bootstrap))) {
      List<TopicPartition> parts = List.of(new TopicPartition(shakes, 0), new TopicPartition(shakes, 1));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      String opens = Topics.named(prefix, Topics.OPENS);
      String shareTopics = Topics.named(prefix, Topics.SHARES) + Topics.named(prefix, Topics.SHARE_CLAIMS);
      List<TopicPartition> all = new java.util.ArrayList<>(parts);
      for (String t : List.of(opens, Topics.named(prefix, Topics.SHARES), Topics.named(prefix, Topics.SHARE_CLAIMS))) {
        all.add(new TopicPartition(t, 0));
        all.add(new TopicPartition(t, 1));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      Map<String, Grant> grants = new HashMap<>();
      Map<String, GrantState> states = new HashMap<>();
      Map<String, ShareState> shares = new HashMap<>();
      while (backendRunning.get()) {
        for (var r : consumer.poll(Duration.ofMillis(50))) {
          if (shareTopics.contains(r.topic())) { // the sharing job's rules, without its bounded waits
            ShareRequest q = Codecs.SHARE_REQUEST.decode(r.value());
            Sharing.Step step = q.getAction() == ShareAction.SHARE
                ? Sharing.share(states.get(q.getShareId()), shares.get(q.getShareId()), q, 600_000)
                : Sharing.claim(shares.get(q.getShareId()), q);
            if (step.state() != null) {
              shares.put(q.getShareId(), step.state());
              send(producer, Topics.SHARE_STATES, q.getShareId(), Codecs.SHARE_STATE.encode(step.state()));
            }
            send(producer, Topics.SHARE_RESULTS, q.getRequestId(), Codecs.SHARE_RESULT.encode(step.result()));
            continue;
          }
          if (r.topic().equals(opens)) { // settlement's rules, as the settlement job applies them
            Open o = Codecs.OPEN.decode(r.value());
            Grant g = grants.get(o.getGrantId());
            if (g == null) {
              send(producer, Topics.OPEN_RESULTS, o.getOpenId(), Codecs.OPEN_RESULT.encode(Settlement.unknownGrant(o)));
              continue;
            }
            Settlement.Step step = Settlement.open(g, states.get(g.getGrantId()), o);
            if (step.state() != null) {
              states.put(g.getGrantId(), Settlement.credited(step.state()));
              send(producer, Topics.GRANT_STATES, g.getGrantId(), Codecs.GRANT_STATE.encode(states.get(g.getGrantId())));
            }
            send(producer, Topics.OPEN_RESULTS, o.getOpenId(), Codecs.OPEN_RESULT.encode(step.result()));
            continue;
          }
          Shake s = Codecs.SHAKE.decode(r.value());
          Decision d = SetAllocator.decide(pool, s, stores.computeIfAbsent(Keys.set(s.getPoolId(), s.getSetId()),
              k -> new MemorySetStore()));
          send(producer, Topics.SHAKE_OUTCOMES, s.getShakeId(), Codecs.OUTCOME.encode(d.outcome()));
          if (d.grant() != null) {
            grants.put(d.grant().getGrantId(), d.grant());
            states.put(d.grant().getGrantId(), Settlement.grant(d.grant()).state());
            send(producer, Topics.GRANT_STATES, d.grant().getGrantId(), Codecs.GRANT_STATE.encode(states.get(d.grant().getGrantId())));
          }
        }
      }
    }
  }

  void send(CheckedProducer producer, String topic, String key, byte[] value) {
    producer.send(new ProducerRecord<>(Topics.named(prefix, topic), key.getBytes(StandardCharsets.UTF_8), value));
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

  /** A GET sent without waiting for its answer, with room for the ingest to hold it (a poll with {@code ?wait=}). */
  java.util.concurrent.CompletableFuture<HttpResponse<String>> getLater(String path, String token) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> open(String grantId, String user, String idempotencyKey) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/grants/"
        + java.net.URLEncoder.encode(grantId, StandardCharsets.UTF_8) + "/open"))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token(user))
        .POST(HttpRequest.BodyPublishers.noBody());
    if (idempotencyKey != null) {
      b.header("Idempotency-Key", idempotencyKey);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> grant(String grantId, String user) throws Exception {
    return get("/v1/grants/" + java.net.URLEncoder.encode(grantId, StandardCharsets.UTF_8), token(user));
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
  void onlyTheOwnerOpensAGrantOnceAndSeesItCredited() throws Exception {
    String grantId = shake("alice", "s-1", "wave").getString("grantId");
    assertThat(grantId).isNotNull();
    Await.until("the grant is known to the ingest", Duration.ofSeconds(20), () -> grant(grantId, "alice").statusCode() == 200);
    assertThat(new JsonObject(grant(grantId, "alice").body()).getString("state")).isEqualTo("GRANTED");
    assertThat(grant(grantId, "bob").statusCode()).as("someone else's grant looks like none").isEqualTo(404);

    HttpResponse<String> noKey = open(grantId, "alice", null);
    assertThat(noKey.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(noKey.body()).getString("code")).isEqualTo("missing_idempotency_key");
    HttpResponse<String> foreign = open(grantId, "bob", "k-bob");
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(foreign.body()).getString("result")).isEqualTo("NOT_OWNER");
    assertThat(new JsonObject(foreign.body()).getValue("cents")).as("the value is not shown to others").isNull();

    long beforeOpen = System.currentTimeMillis();
    HttpResponse<String> opened = open(grantId, "alice", "k-1");
    long afterOpen = System.currentTimeMillis();
    assertThat(opened.statusCode()).as(opened.body()).isIn(200, 202);
    // When the open was asked for, as the settlement judges it against the expiry, in either answer.
    assertThat(new JsonObject(opened.body()).getLong("askedAt")).isBetween(beforeOpen, afterOpen);
    Await.until("the grant is credited", Duration.ofSeconds(20),
        () -> new JsonObject(grant(grantId, "alice").body()).getString("state").equals("CREDITED"));
    if (opened.statusCode() == 200) {
      assertThat(new JsonObject(opened.body()).getString("state")).as("whether the credit was read yet")
          .isIn("OPENED", "CREDITED");
    }
    JsonObject retry = new JsonObject(open(grantId, "alice", "k-1").body());
    assertThat(retry.getString("result")).as("a retry with the same key: the same answer").isEqualTo("OPENED");
    assertThat(retry.getString("state")).as("the credit, once read, is in the open's answer: no poll needed")
        .isEqualTo("CREDITED");
    assertThat(retry.getLong("askedAt")).as("judged by the first ask").isBetween(beforeOpen, afterOpen);
    JsonObject second = new JsonObject(open(grantId, "alice", "k-2").body());
    assertThat(second.getString("result")).as("a second open changes nothing").isEqualTo("ALREADY_OPENED");
    assertThat(second.getLong("cents")).isEqualTo(new JsonObject(grant(grantId, "alice").body()).getLong("cents"));

    List<Open> written = TopicReader.readAll(bootstrap, Topics.named(prefix, Topics.OPENS), true).stream()
        .map(r -> Codecs.OPEN.decode(r.value())).toList();
    assertThat(written).extracting(Open::getUserId).as("the user comes from the token").containsOnly("alice");
    assertThat(written).extracting(Open::getOpenId).contains("k-1", "k-2");
  }

  HttpResponse<String> postShare(String path, String user, String idempotencyKey) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token(user))
        .header("Idempotency-Key", idempotencyKey).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  JsonObject share(String grantId, String user, String key) throws Exception {
    HttpResponse<String> r = postShare("/v1/grants/" + java.net.URLEncoder.encode(grantId, StandardCharsets.UTF_8)
        + "/share", user, key);
    return new JsonObject(r.body()).put("_status", r.statusCode());
  }

  /** A claim with what a friend was sent: a share code (or, as a guesser would, a share id). */
  JsonObject claim(String code, String user, String key) throws Exception {
    HttpResponse<String> r = postShare("/v1/shares/" + java.net.URLEncoder.encode(code, StandardCharsets.UTF_8)
        + "/claim", user, key);
    return new JsonObject(r.body()).put("_status", r.statusCode());
  }

  JsonObject shareStatus(String shareId, String user) throws Exception {
    HttpResponse<String> r = get("/v1/shares/" + java.net.URLEncoder.encode(shareId, StandardCharsets.UTF_8), token(user));
    return new JsonObject(r.body()).put("_status", r.statusCode());
  }

  @Test
  void theOwnerSharesAnOpenedPacketOnceAndFriendsClaimOnePieceEachUntilAllAreClaimed() throws Exception {
    String grantId = shake("alice", "s-1", "wave").getString("grantId");
    Await.until("the grant is known to the ingest", Duration.ofSeconds(20), () -> grant(grantId, "alice").statusCode() == 200);
    JsonObject early = share(grantId, "alice", "sh-0");
    assertThat(early.getInteger("_status")).as(early.encode()).isEqualTo(409);
    assertThat(early.getString("result")).isEqualTo("NOT_OPENED");
    assertThat(early.getString("message")).contains("open the packet first");
    open(grantId, "alice", "k-1");
    Await.until("the grant is credited", Duration.ofSeconds(20),
        () -> new JsonObject(grant(grantId, "alice").body()).getString("state").equals("CREDITED"));
    assertThat(share(grantId, "bob", "sh-bob").getInteger("_status")).as("not bob's to share").isEqualTo(403);

    JsonObject shared = share(grantId, "alice", "sh-1");
    assertThat(shared.getInteger("_status")).as(shared.encode()).isIn(200, 202);
    Await.until("the share is known", Duration.ofSeconds(20), () -> shareStatus(grantId, "bob").getInteger("_status") == 200);
    JsonObject retried = share(grantId, "alice", "sh-1");
    assertThat(retried.getString("result")).as("a retry: the same answer").isEqualTo("SHARED");
    String code = retried.getString("shareCode");
    JsonObject again = share(grantId, "alice", "sh-2");
    assertThat(again.getString("result")).as("shared once").isEqualTo("ALREADY_SHARED");
    assertThat(again.getLong("cents")).isEqualTo(90);

    assertThat(claim(code, "alice", "c-a").getString("result")).as("not the sharer").isEqualTo("OWN_SHARE");
    JsonObject bob = claim(code, "bob", "c-b");
    assertThat(bob.getString("result")).as(bob.encode()).isEqualTo("CLAIMED");
    JsonObject carol = claim(code, "carol", "c-c");
    assertThat(carol.getString("result")).as(carol.encode()).isEqualTo("CLAIMED");
    assertThat(bob.getLong("cents") + carol.getLong("cents")).isEqualTo(90);
    Await.until("both pieces are shown", Duration.ofSeconds(20),
        () -> shareStatus(grantId, "dave").getInteger("claimedPieces") == 2);
    JsonObject dave = claim(code, "dave", "c-d");
    assertThat(dave.getInteger("_status")).isEqualTo(410);
    assertThat(dave.getString("result")).isEqualTo("ALL_CLAIMED");
    assertThat(claim(code, "bob", "c-b2").getString("result")).as("one piece per friend").isEqualTo("ALREADY_CLAIMED");
    JsonObject status = shareStatus(grantId, "erin");
    assertThat(status.getString("state")).isEqualTo("ALL_CLAIMED");
    assertThat(status.getInteger("piecesLeft")).isZero();
    assertThat(status.getInteger("claimedPieces")).isEqualTo(2);
    assertThat(shareStatus(grantId, "alice").getJsonArray("claims")).as("the sharer sees both").hasSize(2);
    assertThat(claim(links.code("wave/9/9"), "bob", "c-x").getString("result")).isEqualTo("UNKNOWN_SHARE");
    assertThat(shareStatus("wave/9/9", "bob").getInteger("_status")).isEqualTo(404);
    assertThat(postShare("/v1/shares/" + links.code("x") + "/claim", "bob", "bad key!").statusCode()).isEqualTo(400);

    List<ShareRequest> written = TopicReader.readAll(bootstrap, Topics.named(prefix, Topics.SHARE_CLAIMS), true).stream()
        .map(r -> Codecs.SHARE_REQUEST.decode(r.value())).toList();
    assertThat(written).extracting(ShareRequest::getUserId).as("refused at the edge: never on the topic")
        .doesNotContain("dave");
  }

  @Test
  void aShareIsClaimedOnlyWithTheCodeGivenToItsSharerAndOnlyTheSharerSeesWhoClaimed() throws Exception {
    String grantId = shake("alice", "s-1", "wave").getString("grantId");
    Await.until("the grant is known to the ingest", Duration.ofSeconds(20), () -> grant(grantId, "alice").statusCode() == 200);
    open(grantId, "alice", "k-1");
    Await.until("the grant is credited", Duration.ofSeconds(20),
        () -> new JsonObject(grant(grantId, "alice").body()).getString("state").equals("CREDITED"));
    share(grantId, "alice", "sh-1");
    Await.until("the share is answered", Duration.ofSeconds(20),
        () -> "SHARED".equals(share(grantId, "alice", "sh-1").getString("result")));
    // Mallory knows how grant ids look: the id claims nothing.
    JsonObject byId = claim(grantId, "mallory", "c-m1");
    assertThat(byId.getInteger("_status")).as(byId.encode()).isEqualTo(404);
    assertThat(byId.getString("code")).isEqualTo("share_code_required");
    assertThat(byId.getString("message")).contains("share code");
    JsonObject shared = share(grantId, "alice", "sh-1");
    String code = shared.getString("shareCode");
    assertThat(code).as("the sharer is given a code: " + shared.encode()).isNotBlank().doesNotContain(grantId);
    assertThat(shared.getString("claimUrl")).isEqualTo("/v1/shares/" + code + "/claim");
    assertThat(share(grantId, "alice", "sh-2").getString("shareCode")).as("and again when sharing again").isEqualTo(code);
    assertThat(share(grantId, "mallory", "sh-m").getValue("shareCode")).as("never to someone else").isNull();

    // Nor does a code altered in its last character.
    char last = code.charAt(code.length() - 1);
    JsonObject altered = claim(code.substring(0, code.length() - 1) + (last == 'A' ? 'B' : 'A'), "mallory", "c-m2");
    assertThat(altered.getInteger("_status")).as(altered.encode()).isEqualTo(404);
    assertThat(altered.getString("code")).isEqualTo("unknown_share_code");
    JsonObject bob = claim(code, "bob", "c-b");
    assertThat(bob.getString("result")).as(bob.encode()).isEqualTo("CLAIMED");

    Await.until("bob's piece is shown", Duration.ofSeconds(20),
        () -> shareStatus(grantId, "alice").getInteger("claimedPieces") == 1);
    JsonObject toAlice = shareStatus(grantId, "alice");
    assertThat(toAlice.getString("sharer")).isEqualTo("alice");
    assertThat(toAlice.getString("shareCode")).isEqualTo(code);
    assertThat(toAlice.getJsonArray("claims").getJsonObject(0).getString("userId")).isEqualTo("bob");
    JsonObject toBob = shareStatus(grantId, "bob");
    assertThat(toBob.getInteger("claimedPieces")).isEqualTo(1);
    assertThat(toBob.getJsonArray("claims")).as("his own piece").hasSize(1);
    assertThat(toBob.encode()).as("to a friend: no sharer, no code").doesNotContain("alice").doesNotContain(code);
    JsonObject toMallory = shareStatus(grantId, "mallory");
    assertThat(toMallory.getInteger("claimedPieces")).isEqualTo(1);
    assertThat(toMallory.getJsonArray("claims")).isEmpty();
    assertThat(toMallory.encode()).as("to anyone else: counts and amounts, no user ids").doesNotContain("alice")
        .doesNotContain("bob").doesNotContain(code);

    List<ShareRequest> written = TopicReader.readAll(bootstrap, Topics.named(prefix, Topics.SHARE_CLAIMS), true).stream()
        .map(r -> Codecs.SHARE_REQUEST.decode(r.value())).toList();
    assertThat(written).extracting(ShareRequest::getUserId).as("refused at the edge: never on the topic")
        .doesNotContain("mallory");
  }

  /** How long the held shakes stay in flight (their outcome wait). */
  static final Duration HOLD = Duration.ofSeconds(5);

  /**
   * Restarts the ingest with 4 in-flight slots and no backend, and holds {@code n} of them with
   * shakes that stay forwarded for the whole outcome wait ({@link #HOLD}): load level 1 at 2, level 2 at 3.
   */
  List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> holdInFlight(int n) throws Exception {
    backendRunning.set(false);
    backend.join(5000);
    server.close();
    IngestConfig c = IngestConfig.defaults(bootstrap, SECRET, ADMIN).withPort(0).withTopicPrefix(prefix)
        .withAdmission(1000, 100, 4);
    // The held shakes leave the in-flight count once their outcome wait runs out. The default 1 s
    // is shorter than a busy machine may take between seeing them in flight and the shed checks
    // that follow, so hold them longer.
    server = IngestServer.start(new IngestConfig(c.port(), c.bootstrap(), c.topicPrefix(), c.tokenSecret(),
        c.adminToken(), HOLD, c.admissionPerSecond(), c.userPerSecond(), c.maxInFlight(), c.maxBodyBytes()));
    awaitReady();
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> inFlight = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      inFlight.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/shakes"))
          .header("Authorization", "Bearer " + token("u" + i)).POST(HttpRequest.BodyPublishers.ofString(
              "{\"shakeId\":\"load-" + i + "\",\"poolId\":\"wave\"}")).build(), HttpResponse.BodyHandlers.ofString()));
    }
    Await.until(n + " shakes in flight", Duration.ofSeconds(5),
        () -> get("/metrics", null).body().contains("redpacket_ingest_forwarded_in_flight " + n + ".0"));
    return inFlight;
  }

  @Test
  void underLoadSharingIsShedFirstWhileOpensAndShakesGoOn() throws Exception {
    var inFlight = holdInFlight(2); // 2 of 4: load level 1
    JsonObject shedShare = share("wave/0/1", "alice", "sh-load");
    assertThat(shedShare.getInteger("_status")).as(shedShare.encode()).isEqualTo(429);
    assertThat(shedShare.getString("message")).contains("sharing is paused");
    HttpResponse<String> shedClaim = postShare("/v1/shares/" + links.code("wave/0/1") + "/claim", "bob", "cl-load");
    assertThat(shedClaim.statusCode()).isEqualTo(429);
    assertThat(shedClaim.headers().firstValue("Retry-After")).isPresent();
    HttpResponse<String> opening = open("wave/0/1", "alice", "k-open");
    assertThat(opening.statusCode()).as("opening still goes through at level 1: " + opening.body()).isEqualTo(202);
    JsonObject stillShaking = shake("zoe", "load-3", "wave");
    assertThat(stillShaking.getInteger("_status")).as("shakes still go through: " + stillShaking).isEqualTo(202);
    for (var f : inFlight) {
      assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(202);
    }
    assertThat(get("/metrics", null).body()).contains("redpacket_ingest_answers_total{path=\"shed\",reason=\"share_load\"} 1.0",
        "reason=\"claim_load\"} 1.0");
    // Nothing has answered the held shakes: allocation is silent, which alone keeps sharing shed. The
    // stand-in job back, answering what waited, ends that.
    backendRunning.set(true);
    backend = new Thread(this::backendLoop, "stand-in-backend");
    backend.start();
    Await.until("load gone and the jobs answering: sharing resumes", Duration.ofSeconds(30),
        () -> share("wave/0/1", "alice", "sh-load").getInteger("_status") != 429);
  }

  @Test
  void everyAnswerCarriesTheClientPolicy() throws Exception {
    HttpResponse<String> won = post("/v1/shakes", token("alice"), "{\"shakeId\":\"p-1\",\"poolId\":\"wave\"}");
    HttpResponse<String> edge = post("/v1/shakes", token("alice"), "{\"shakeId\":\"p-2\",\"poolId\":\"none\"}");
    HttpResponse<String> refused = post("/v1/shakes", "forged", "{}");
    HttpResponse<String> unknown = get("/v1/nothing-here", null);
    assertThat(refused.statusCode()).isEqualTo(401);
    // The level itself depends on the machine (a fresh producer's first acks can be slow): the
    // header is the ingest's own, written in full, whatever the level.
    for (HttpResponse<String> r : List.of(won, edge, refused, unknown, get("/metrics", null))) {
      String header = r.headers().firstValue(ClientPolicy.HEADER).orElse(null);
      assertThat(header).as(r.uri() + " " + r.statusCode()).isNotNull().startsWith("level=");
      assertThat(ClientPolicy.parse(header).header()).isEqualTo(header);
    }
    JsonObject policy = new JsonObject(get("/v1/client-policy", null).body());
    ClientPolicy same = ClientPolicy.parse(policy.getString("header"));
    assertThat(policy.getInteger("level")).isEqualTo(same.level());
    assertThat(policy.getInteger("samplePercent")).isEqualTo(same.samplePercent());
    assertThat(policy.getLong("minShakeIntervalMs")).isEqualTo(same.minIntervalMs());
    assertThat(policy.getString("onTimeout")).isEqualTo(same.onTimeout());
    assertThat(same).isEqualTo(ClientPolicy.at(same.level(), same.epoch()));
  }

  HttpResponse<String> put(String path, String token, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  int policyLevel() throws Exception {
    return new JsonObject(get("/v1/client-policy", null).body()).getInteger("level");
  }

  @Test
  void anOperatorHoldsThePolicyAtAFloorAndTheLoadTakesItBackStepByStep() throws Exception {
    assertThat(put("/v1/admin/client-policy", token("alice"), "{\"floorLevel\":3}").statusCode()).isEqualTo(401);
    assertThat(put("/v1/admin/client-policy", ADMIN, "{\"floorLevel\":9}").statusCode()).isEqualTo(400);
    assertThat(put("/v1/admin/client-policy", ADMIN, "{\"floorLevel\":3}").statusCode()).isEqualTo(200);
    Await.until("policy at the floor", Duration.ofSeconds(5), () -> policyLevel() == 3);
    HttpResponse<String> shake = post("/v1/shakes", token("bob"), "{\"shakeId\":\"f-1\",\"poolId\":\"wave\"}");
    assertThat(ClientPolicy.parse(shake.headers().firstValue(ClientPolicy.HEADER).orElse(null)).samplePercent())
        .isEqualTo(95);
    put("/v1/admin/client-policy", ADMIN, "{\"floorLevel\":0}");
    long t0 = System.nanoTime();
    Await.until("policy back to 2", Duration.ofSeconds(10), () -> policyLevel() == 2);
    assertThat((System.nanoTime() - t0) / 1e6).as("held about 2 s before a step down").isGreaterThan(1500);
    Await.until("policy back to 0", Duration.ofSeconds(15), () -> policyLevel() == 0);
  }

  @Test
  void underLoadOpeningIsShedBeforeShakes() throws Exception {
    var inFlight = holdInFlight(3); // 3 of 4: load level 2
    // The policy follows the load level within a sampling tick (50 ms).
    Await.until("client policy at level 2", Duration.ofSeconds(5),
        () -> new JsonObject(get("/v1/client-policy", null).body()).getInteger("level") == 2);
    JsonObject policy = new JsonObject(get("/v1/client-policy", null).body());
    assertThat(policy.getInteger("samplePercent")).isEqualTo(80);
    assertThat(policy.getLong("minShakeIntervalMs")).isEqualTo(3000);
    assertThat(policy.getString("onTimeout")).isEqualTo("wait");
    assertThat(get("/metrics", null).body()).as("asking for the policy is not load")
        .contains("redpacket_ingest_forwarded_in_flight 3.0").contains("redpacket_ingest_client_policy_level 2.0");
    HttpResponse<String> shed = open("wave/0/1", "alice", "k-load");
    assertThat(shed.statusCode()).as(shed.body()).isEqualTo(429);
    assertThat(shed.headers().firstValue("Retry-After")).isPresent();
    assertThat(ClientPolicy.parse(shed.headers().firstValue(ClientPolicy.HEADER).orElse(null)).level())
        .as("a shed answer tells the client to hold back too").isEqualTo(2);
    assertThat(new JsonObject(shed.body()).getString("code")).isEqualTo("overloaded");
    JsonObject stillShaking = shake("zoe", "load-3", "wave");
    assertThat(stillShaking.getInteger("_status")).as("shakes still go through at this level: " + stillShaking)
        .isEqualTo(202);
    for (var f : inFlight) {
      assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(202);
    }
    assertThat(open("wave/0/1", "alice", "k-load").statusCode()).as("load gone: opening resumes").isNotEqualTo(429);
  }

  /**
   * Issue 14: a shed open is retried later with a later time stamp, which may be after its grant's
   * expiry. So an open whose grant expires soon is forwarded whatever the load; one with time to
   * spare is still shed.
   */
  @Test
  void underLoadAnOpenWhoseGrantExpiresSoonIsForwardedWhileOneWithTimeToSpareIsShed() throws Exception {
    long now = System.currentTimeMillis();
    long expiry = IngestConfig.DEFAULT_GRANT_EXPIRY.toMillis();
    grantState("wave/0/90", "alice", now - expiry + 3_000); // expires in 3 s
    grantState("wave/0/91", "alice", now - expiry + 600_000); // in 10 min
    var inFlight = holdInFlight(3); // 3 of 4: load level 2, opening shed
    Await.until("both grants known", Duration.ofSeconds(5),
        () -> grant("wave/0/90", "alice").statusCode() == 200 && grant("wave/0/91", "alice").statusCode() == 200);
    HttpResponse<String> later = open("wave/0/91", "alice", "k-later");
    assertThat(later.statusCode()).as("10 min to spare: shed, " + later.body()).isEqualTo(429);
    assertThat(later.headers().firstValue("Retry-After")).hasValue("2");
    HttpResponse<String> soon = open("wave/0/90", "alice", "k-soon");
    assertThat(soon.statusCode()).as("expiring: forwarded, " + soon.body()).isIn(200, 202);
    var opens = TopicReader.readAll(bootstrap, Topics.named(prefix, Topics.OPENS), true).stream()
        .map(r -> Codecs.OPEN.decode(r.value()).getOpenId()).toList();
    assertThat(opens).contains("k-soon").doesNotContain("k-later");
    for (var f : inFlight) {
      assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(202);
    }
  }

  /**
   * The same for claims: the sharing job decides a claim's expiry by its time stamp, so a claim of a
   * share that expires soon is forwarded at a level that sheds sharing; one with time to spare is shed.
   */
  @Test
  void underLoadAClaimOfAShareExpiringSoonIsForwardedWhileOneWithTimeToSpareIsShed() throws Exception {
    long now = System.currentTimeMillis();
    // Expires in 10 s: within the 11 s in which a claim is never shed, with time to spare on a slow machine
    // (the edge answers a claim after the expiry EXPIRED itself).
    shareState("wave/0/95", "alice", now + 10_000);
    shareState("wave/0/96", "alice", now + 600_000); // in 10 min
    Await.until("both shares known", Duration.ofSeconds(5),
        () -> get("/v1/shares/" + Replies.segment("wave/0/95"), token("alice")).statusCode() == 200
            && get("/v1/shares/" + Replies.segment("wave/0/96"), token("alice")).statusCode() == 200);
    var inFlight = holdInFlight(2); // 2 of 4: load level 1, sharing shed
    HttpResponse<String> later = postShare("/v1/shares/" + links.code("wave/0/96") + "/claim", "bob", "cl-later");
    assertThat(later.statusCode()).as("10 min to spare: shed, " + later.body()).isEqualTo(429);
    HttpResponse<String> soon = postShare("/v1/shares/" + links.code("wave/0/95") + "/claim", "bob", "cl-soon");
    assertThat(soon.statusCode()).as("expiring: forwarded, " + soon.body()).isIn(200, 202);
    var claims = TopicReader.readAll(bootstrap, Topics.named(prefix, Topics.SHARE_CLAIMS), true).stream()
        .map(r -> Codecs.SHARE_REQUEST.decode(r.value()).getRequestId()).toList();
    assertThat(claims).contains("cl-soon").doesNotContain("cl-later");
    for (var f : inFlight) {
      assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(202);
    }
  }

  /** A share's state on the compacted topic, as the sharing job writes it: open, nothing claimed, expiring then. */
  void shareState(String shareId, String sharer, long expiresMillis) throws Exception {
    ShareState s = ShareState.newBuilder().setShareId(shareId).setPoolId("wave").setSponsor("s").setSharer(sharer)
        .setRequestId("r-" + shareId).setValueCents(500).setPieces(5).setClaims(List.of()).setClaimedCents(0)
        .setRefundedCents(0).setPhase(io.redpacket.avro.SharePhase.OPEN).setCreatedMillis(expiresMillis - 60_000)
        .setExpiresMillis(expiresMillis).setTimestamp(expiresMillis - 60_000).build();
    publish(Topics.SHARE_STATES, shareId, Codecs.SHARE_STATE.encode(s));
  }

  /** One record on a compacted state topic (under the test's prefix), acknowledged. */
  void publish(String topic, String key, byte[] value) throws Exception {
    try (CheckedProducer producer = new CheckedProducer(ProducerSettings.reliable(bootstrap))) {
      producer.send(new ProducerRecord<>(Topics.named(prefix, topic), key.getBytes(StandardCharsets.UTF_8), value)).get();
    }
  }

  /** A grant's state on the compacted topic, as settlement writes it: granted at {@code grantedMillis}, unopened. */
  void grantState(String grantId, String owner, long grantedMillis) throws Exception {
    grantState(grantId, owner, grantedMillis, io.redpacket.avro.GrantPhase.GRANTED);
  }

  void grantState(String grantId, String owner, long grantedMillis, io.redpacket.avro.GrantPhase phase) throws Exception {
    GrantState s = GrantState.newBuilder().setGrantId(grantId).setUserId(owner).setPoolId("wave").setCents(100)
        .setState(phase).setGrantedMillis(grantedMillis).setTimestamp(grantedMillis).build();
    publish(Topics.GRANT_STATES, grantId, Codecs.GRANT_STATE.encode(s));
  }

  /**
   * A poll with {@code ?wait=} is held until the grant is credited, not answered at once with the state before: the
   * owner sees the credit when the ingest reads it, not at their next poll. One that ends its wait unsettled gets the
   * state then; a foreign or unknown grant and a bad wait are answered at once.
   */
  @Test
  void aHeldPollIsAnsweredWhenTheGrantIsCreditedAndNoLaterThanItsWait() throws Exception {
    long now = System.currentTimeMillis();
    grantState("wave/0/70", "alice", now);
    Await.until("grant known", Duration.ofSeconds(10), () -> grant("wave/0/70", "alice").statusCode() == 200);
    String path = "/v1/grants/" + java.net.URLEncoder.encode("wave/0/70", StandardCharsets.UTF_8) + "?wait=15";
    var held = getLater(path, token("alice"));
    Await.until("the poll is held", Duration.ofSeconds(10),
        () -> get("/metrics", null).body().contains("redpacket_ingest_grant_polls_held 1.0"));
    assertThat(held).as("held while the grant is only granted").isNotDone();
    // A third poll of the same grant by its owner is not held: one client cannot take the instance's holds.
    var alsoHeld = getLater(path, token("alice"));
    Await.until("two polls held", Duration.ofSeconds(10),
        () -> get("/metrics", null).body().contains("redpacket_ingest_grant_polls_held 2.0"));
    long third = System.nanoTime();
    HttpResponse<String> notHeld = get(path, token("alice"));
    assertThat(new JsonObject(notHeld.body()).getString("state")).isEqualTo("GRANTED");
    assertThat(Duration.ofNanos(System.nanoTime() - third)).as("answered at once").isLessThan(Duration.ofSeconds(8));
    assertThat(get("/metrics", null).body()).contains("redpacket_ingest_grant_polls_held 2.0");
    long credited = System.nanoTime();
    grantState("wave/0/70", "alice", now, io.redpacket.avro.GrantPhase.CREDITED);
    HttpResponse<String> answer = held.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(new JsonObject(alsoHeld.get(30, java.util.concurrent.TimeUnit.SECONDS).body()).getString("state"))
        .isEqualTo("CREDITED");
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(answer.body()).getString("state")).isEqualTo("CREDITED");
    assertThat(Duration.ofNanos(System.nanoTime() - credited)).as("answered on the credit, not at the end of the wait")
        .isLessThan(Duration.ofSeconds(10));

    grantState("wave/0/71", "alice", now);
    Await.until("grant known", Duration.ofSeconds(10), () -> grant("wave/0/71", "alice").statusCode() == 200);
    long t0 = System.nanoTime();
    HttpResponse<String> unsettled = get("/v1/grants/" + java.net.URLEncoder.encode("wave/0/71", StandardCharsets.UTF_8)
        + "?wait=1", token("alice"));
    assertThat(unsettled.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(unsettled.body()).getString("state")).isEqualTo("GRANTED");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(get("/metrics", null).body()).contains("redpacket_ingest_grant_polls_held 0.0");

    String foreign = "/v1/grants/" + java.net.URLEncoder.encode("wave/0/71", StandardCharsets.UTF_8) + "?wait=20";
    t0 = System.nanoTime();
    assertThat(get(foreign, token("mallory")).statusCode()).as("someone else's grant looks like none").isEqualTo(404);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("and is not held").isLessThan(Duration.ofSeconds(5));
    for (String bad : List.of("21", "-1", "abc", "1.5", "999")) {
      HttpResponse<String> r = get("/v1/grants/" + java.net.URLEncoder.encode("wave/0/71", StandardCharsets.UTF_8)
          + "?wait=" + bad, token("alice"));
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(new JsonObject(r.body()).getString("message")).contains("from 0 to 20");
    }
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
    // Sent at once and the time measured: the bucket lets through 2 plus 1 per second elapsed, and
    // one after the other on a busy machine the 15 could take long enough to earn tokens back.
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> burst = new java.util.ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < 15; i++) {
      burst.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/shakes"))
          .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
          .header("Authorization", "Bearer " + token("script"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"shakeId\":\"y" + i + "\",\"poolId\":\"wave\"}")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (var f : burst) {
      HttpResponse<String> r = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
      if (r.statusCode() == 429) {
        tooFast++;
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(new JsonObject(r.body()).getString("code")).isEqualTo("too_many_requests");
      }
    }
    long allowedAtMost = 2 + (long) Math.ceil((System.nanoTime() - t0) / 1e9);
    assertThat(tooFast).as("a burst of 15 from one user allowed 1/s, bursts of 2, within %d s", allowedAtMost - 2)
        .isGreaterThanOrEqualTo((int) (15 - allowedAtMost));
    assertThat(get("/metrics", null).body()).contains("redpacket_ingest_answers_total{path=\"local\",reason=\"unknown_pool\"}")
        .contains("redpacket_ingest_answers_total{path=\"shed\",reason=\"user_rate\"}");
  }

  @Test
  void oneUsersFloodOfOpensAndClaimsOfUnknownIdsIsSlowedWhileOtherUsersGoOn() throws Exception {
    // Sent at once, each with a fresh id of a grant (or a genuine code of a share) that does not exist (forwarded,
    // it would take a place in flight), and every other claim with a forged code (answered at the edge, yet it
    // still counts, or guessing codes would be free): the bucket lets through 10 plus 5 per second elapsed.
    for (String route : List.of("open", "claim")) {
      List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> flood = new java.util.ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < 40; i++) {
        String path = route.equals("open") ? "/v1/grants/nope%2F0%2F" + i + "/open" : "/v1/shares/" + (i % 2 == 0 ? links.code("nope/0/" + i) : "Zm9yZ2Vk." + "A".repeat(21) + i % 10) + "/claim";
        flood.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token("mallory"))
            .header("Idempotency-Key", route + "-" + i).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      int tooFast = 0;
      for (var f : flood) {
        HttpResponse<String> r = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
        if (r.statusCode() == 429 && new JsonObject(r.body()).getString("code").equals("too_many_requests")) {
          tooFast++;
          assertThat(r.headers().firstValue("Retry-After")).isPresent();
        }
      }
      long allowedAtMost = 10 + 5 * (long) Math.ceil((System.nanoTime() - t0) / 1e9);
      assertThat(tooFast).as("%s: 40 at once from one user, 5/s and bursts of 10, within %d s", route,
          (allowedAtMost - 10) / 5).isGreaterThanOrEqualTo((int) (40 - allowedAtMost));
    }
    HttpResponse<String> other = open("nope/0/1", "bob", "k-bob");
    assertThat(other.statusCode()).as("another user's open is not slowed by mallory's flood").isNotEqualTo(429);
    assertThat(get("/metrics", null).body()).contains("redpacket_ingest_answers_total{path=\"shed\",reason=\"user_rate\"}");
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
