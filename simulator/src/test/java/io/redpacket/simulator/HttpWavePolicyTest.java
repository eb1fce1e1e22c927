package io.redpacket.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.core.ClientPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Virtual users against a stand-in ingest that answers every shake at once ("not lucky", from the
 * edge) with a fixed client policy: what they send is what the policy lets through.
 */
class HttpWavePolicyTest {
  static final String SECRET = "a-test-secret-of-32-characters!!";
  final PoolDefinition pool = PoolDefinition.newBuilder().setPoolId("p").setSponsor("s").setTotalCents(1000)
      .setTotalCount(10).setSets(4).setMinCents(1).setMaxCents(1000).setStartMillis(0L).setEndMillis(1L)
      .setSplitMode(SplitMode.LUCKY).setPerUserLimit(1).setPacing(false).setCreatedMillis(0L).build();
  final Vertx vertx = Vertx.vertx();
  final AtomicLong received = new AtomicLong();
  volatile ClientPolicy policy;
  HttpServer server;

  @BeforeEach
  void start() throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> {
      received.incrementAndGet();
      req.response().putHeader(ClientPolicy.HEADER, policy.header()).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("outcome", "NOT_LUCKY").put("answeredBy", "edge").encode());
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  HttpWave.Result wave(ClientPolicy p, long shakes, long perSecond) throws Exception {
    policy = p;
    received.set(0);
    HttpWave wave = new HttpWave("http://127.0.0.1:" + server.actualPort(), SECRET, 4, Duration.ofSeconds(5));
    try {
      return wave.run(new WavePlan(pool, 500, 0.5, 0.02, 1, System::currentTimeMillis), shakes, 4, perSecond, x -> {});
    } finally {
      wave.close();
    }
  }

  @Test
  void underACalmPolicyEveryShakeIsSent() throws Exception {
    HttpWave.Result r = wave(ClientPolicy.at(0, 1), 2000, 0);
    assertThat(r.gestures.get()).isEqualTo(2000);
    assertThat(r.sent.get()).isEqualTo(2000);
    assertThat(received.get()).isEqualTo(2000);
    assertThat(r.answeredByClient()).isZero();
  }

  @Test
  void underATightPolicyTheUsersAnswerMostShakesThemselvesAndSendFarFewer() throws Exception {
    HttpWave.Result r = wave(ClientPolicy.at(3, 1), 4000, 0);
    assertThat(r.gestures.get()).isEqualTo(4000);
    assertThat(r.sent.get() + r.answeredByClient()).isEqualTo(4000);
    assertThat(received.get()).as("sent is what the ingest got").isEqualTo(r.sent.get());
    // 95% sampled on the phone; of the rest, one per user per 10 s. The first 4 go out before any
    // answer has told the users the policy.
    assertThat(r.sent.get()).as("at most 5% and a few before the first answer").isLessThan(4000 / 20 + 30);
    assertThat(r.sampledByClient.get()).isGreaterThan(3700);
    assertThat(r.tooSoonByClient.get()).as("heavy users shake again within 10 s").isPositive();
    assertThat(r.policyLevel).isIn(0, 3);
  }

  @Test
  void atAGesturePaceTheUsersShakeOnTimeWhateverThePolicyAnswers() throws Exception {
    long t0 = System.nanoTime();
    HttpWave.Result r = wave(ClientPolicy.at(2, 1), 600, 1000);
    assertThat((System.nanoTime() - t0) / 1e6).as("600 shakes at 1000/s").isGreaterThan(550);
    assertThat(r.sent.get()).isLessThan(600 * 25 / 100);
  }

  @Test
  void aCrowdHeldToASlowPaceShakesAtFullSpeedAsSoonAsThePaceIsLifted() throws Exception {
    policy = ClientPolicy.at(0, 1);
    HttpWave wave = new HttpWave("http://127.0.0.1:" + server.actualPort(), SECRET, 4, Duration.ofSeconds(5));
    try {
      // 1 shake a second for 64 users at once; lifted after a second. Each waiting user must see the lift: had
      // each taken the next free second when it came to shake, the last would wait a minute.
      Thread lift = new Thread(() -> {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
        wave.pace(0);
      });
      lift.start();
      long t0 = System.nanoTime();
      HttpWave.Result r = wave.run(new WavePlan(pool, 500, 0.5, 0.02, 1, System::currentTimeMillis), 2000, 64, 1,
          x -> {});
      lift.join();
      assertThat(r.gestures.get()).isEqualTo(2000);
      assertThat((System.nanoTime() - t0) / 1e9).as("seconds for the wave, paced for the first one").isLessThan(15);
    } finally {
      wave.close();
    }
  }
}
