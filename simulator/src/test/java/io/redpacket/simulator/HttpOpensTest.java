package io.redpacket.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.kafka.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the simulated owners count opens answered EXPIRED: sent in time, and of those, stamped in time by the service. */
class HttpOpensTest {
  @Test
  void anExpiredOpenIsBlamedOnTheBackendOnlyWhenTheServiceStampedItBeforeTheExpiry() throws Exception {
    long expiry = System.currentTimeMillis() + 60_000;
    Vertx vertx = Vertx.vertx();
    // A stand-in for the ingest: every open is answered EXPIRED by the backend, stamped before the expiry for
    // grant g/0/1 (the backend's miss) and after it for g/0/2 (the request reached the service late); the open
    // of g/0/4 is accepted (202), stamped in time, and the grant is then seen EXPIRED while polling.
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().contains("g%2F0%2F4")) {
        JsonObject body = req.method().name().equals("GET") ? new JsonObject().put("state", "EXPIRED")
            : new JsonObject().put("status", "accepted").put("askedAt", expiry - 1_000);
        req.response().setStatusCode(req.method().name().equals("GET") ? 200 : 202)
            .putHeader("Content-Type", "application/json").end(body.encode());
        return;
      }
      long askedAt = req.path().contains("g%2F0%2F1") ? expiry - 1_000 : expiry + 1_000;
      req.response().setStatusCode(410).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("result", "EXPIRED").put("answeredBy", "backend").put("askedAt", askedAt).encode());
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    HttpOpens opens = new HttpOpens("http://127.0.0.1:" + server.actualPort(), "a-test-secret-of-32-characters!!", 4,
        Duration.ofSeconds(10));
    try {
      opens.expiryOf(grant -> expiry);
      opens.submit(new OpenPlan.Action(OpenPlan.Kind.OWNER, "o-1", "g/0/1", "alice", 0), 0);
      opens.submit(new OpenPlan.Action(OpenPlan.Kind.OWNER, "o-2", "g/0/2", "bob", 0), 0);
      opens.submit(new OpenPlan.Action(OpenPlan.Kind.FOREIGN, "o-3", "g/0/1", "mallory", 0), 0);
      opens.submit(new OpenPlan.Action(OpenPlan.Kind.OWNER, "o-4", "g/0/4", "carol", 0), 0);
      Await.until("every open answered", Duration.ofSeconds(20), () -> opens.pending() == 0);
      HttpOpens.Result r = opens.result();
      assertThat(r.expiredThoughSentInTime).as("the owners' opens, sent before the expiry").hasValue(3);
      assertThat(r.expiredThoughStampedInTime()).as("the ones the service stamped in time").isEqualTo(2);
      assertThat(r.expiredThoughStampedInTimeBy).as("by where the EXPIRED came from")
          .containsOnlyKeys("backend", "poll after 202");
      assertThat(r.expiredThoughStampedInTimeBy.get("backend")).hasValue(1);
      assertThat(r.expiredThoughStampedInTimeBy.get("poll after 202")).hasValue(1);
    } finally {
      opens.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The owners share a pool of connections; a phone has its own. An open that waited for a free
   * connection of the pool until after the expiry was not sent in time by its owner: it is counted
   * from when it went on the wire.
   */
  @Test
  void anOpenIsSentWhenItGoesOnTheWireNotWhenItWaitsForAConnectionOfThePool() throws Exception {
    // The grants expire 1.5 s after the first open took the pool's only connection, which it holds for 3 s.
    java.util.concurrent.atomic.AtomicLong expiry = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
    Vertx vertx = Vertx.vertx();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      long hold = req.path().contains("g%2F0%2F9") ? 3_000 : 1;
      if (hold > 1) {
        expiry.set(System.currentTimeMillis() + 1_500);
      }
      vertx.setTimer(hold, id -> req.response().setStatusCode(410).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("result", "EXPIRED").put("askedAt", System.currentTimeMillis()).encode()));
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    HttpOpens opens = new HttpOpens("http://127.0.0.1:" + server.actualPort(), "a-test-secret-of-32-characters!!", 1,
        Duration.ofSeconds(10));
    try {
      opens.expiryOf(grant -> expiry.get());
      // Someone else's open (not counted) holds the connection first.
      opens.submit(new OpenPlan.Action(OpenPlan.Kind.FOREIGN, "o-9", "g/0/9", "carol", 0), 0);
      Await.until("the first open holding the connection", Duration.ofSeconds(10), () -> expiry.get() != Long.MAX_VALUE);
      long submitted = System.currentTimeMillis();
      opens.submit(new OpenPlan.Action(OpenPlan.Kind.OWNER, "o-1", "g/0/1", "alice", 0), 0);
      Await.until("every open answered", Duration.ofSeconds(20), () -> opens.pending() == 0);
      assertThat(submitted).as("queued for the connection before the expiry").isLessThan(expiry.get());
      assertThat(opens.result().expiredThoughSentInTime).as("it went on the wire after the expiry").hasValue(0);
    } finally {
      opens.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Open to credited in its parts: the wait for a connection of the pool, the ingest's answer to the open, and the
   * wait from that answer until the credit is seen. Each part is at least what the stand-in ingest held it.
   */
  @Test
  void openToCreditedIsSplitIntoTheWaitForTheWireTheOpensAnswerAndTheCredit() throws Exception {
    Vertx vertx = Vertx.vertx();
    java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      boolean poll = req.method().name().equals("GET");
      boolean holder = req.path().contains("g%2F0%2F9");
      held.compareAndSet(false, holder);
      long hold = poll ? 400 : holder ? 800 : 600;
      JsonObject body = poll ? new JsonObject().put("state", "CREDITED")
          : new JsonObject().put("result", holder ? "NOT_OWNER" : "OPENED").put("askedAt", System.currentTimeMillis());
      vertx.setTimer(hold, id -> req.response().setStatusCode(200).putHeader("Content-Type", "application/json")
          .end(body.encode()));
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    HttpOpens opens = new HttpOpens("http://127.0.0.1:" + server.actualPort(), "a-test-secret-of-32-characters!!", 1,
        Duration.ofSeconds(10));
    try {
      // Someone else's open takes the pool's only connection for 0.8 s first.
      opens.submit(new OpenPlan.Action(OpenPlan.Kind.FOREIGN, "o-9", "g/0/9", "carol", 0), 0);
      Await.until("the first open holding the connection", Duration.ofSeconds(10), held::get);
      opens.submit(new OpenPlan.Action(OpenPlan.Kind.OWNER, "o-1", "g/0/1", "alice", 0), 0);
      Await.until("every open answered", Duration.ofSeconds(20), () -> opens.pending() == 0);
      HttpOpens.Result r = opens.result();
      var total = r.openToCreditedSoFar();
      var tap = r.soFar(r.tapToWire);
      var wire = r.soFar(r.wireToAnswer);
      var answer = r.soFar(r.answerToCredited);
      assertThat(total.getTotalCount()).as("one open credited").isEqualTo(1);
      assertThat(tap.getMaxValue() / 1_000_000).as("waited for the connection, ms").isGreaterThanOrEqualTo(500);
      assertThat(wire.getMaxValue() / 1_000_000).as("the ingest held the open's answer, ms").isGreaterThanOrEqualTo(550);
      assertThat(answer.getMaxValue() / 1_000_000).as("the poll held the credit, ms").isGreaterThanOrEqualTo(350);
      assertThat(tap.getMaxValue() + wire.getMaxValue() + answer.getMaxValue())
          .as("the parts add up to no more than the whole").isLessThanOrEqualTo(total.getMaxValue() + 5_000_000);
      assertThat(r.render()).contains("open to credited in parts, p50 / p99 ms: tap to on the wire");
    } finally {
      opens.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** An open whose answer already says the grant is credited is counted as credited then, with no poll sent. */
  @Test
  void anAnswerThatCarriesTheCreditIsNotPolledFor() throws Exception {
    Vertx vertx = Vertx.vertx();
    java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      if (req.method().name().equals("GET")) {
        polls.incrementAndGet();
      }
      JsonObject body = new JsonObject().put("result", "OPENED").put("state", "CREDITED")
          .put("askedAt", System.currentTimeMillis());
      req.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(body.encode());
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    HttpOpens opens = new HttpOpens("http://127.0.0.1:" + server.actualPort(), "a-test-secret-of-32-characters!!", 1,
        Duration.ofSeconds(10));
    try {
      opens.submit(new OpenPlan.Action(OpenPlan.Kind.OWNER, "o-1", "g/0/1", "alice", 0), 0);
      Await.until("the open answered", Duration.ofSeconds(20), () -> opens.pending() == 0);
      HttpOpens.Result r = opens.result();
      assertThat(r.openToCreditedSoFar().getTotalCount()).as("credited from the open's answer").isEqualTo(1);
      assertThat(polls.get()).as("polls sent").isZero();
      assertThat(r.creditedInAnswer.get()).isEqualTo(1);
    } finally {
      opens.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
