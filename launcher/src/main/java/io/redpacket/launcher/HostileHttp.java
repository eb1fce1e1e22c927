package io.redpacket.launcher;

import io.redpacket.core.Tokens;
import io.redpacket.ingest.IngestConfig;
import io.redpacket.ingest.IngestServer;
import io.redpacket.kafka.Await;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * The drill's HTTP half: an ingest in front of the drill's topics and running jobs. Good users shake
 * through it while one hostile client sends what any client can: malformed and duplicated-key JSON,
 * wrong types, oversized bodies, headers and request lines, bytes that are not HTTP, no token, forged,
 * foreign-signed, expired and garbage tokens, a user token on the admin route, unknown routes and
 * methods, a flood of opens of unknown grants from one user, and a client trickling its headers.
 * Every hostile request must get a clear {@code 4xx} (from the ingest's routes: a JSON body with a
 * {@code code} and a {@code message}) or, for the trickling client, a closed connection; and every
 * good user's shake must be answered as if the hostile client were not there.
 */
final class HostileHttp {
  static final String POOL = "drill-http";
  private static final String SECRET = "hostile-http-secret-" + UUID.randomUUID();
  private static final String ADMIN = "hostile-http-admin-" + UUID.randomUUID();
  private static final Duration HEADER_DEADLINE = Duration.ofSeconds(2);

  /** How many hostile requests were sent, how many good shakes were answered, and each hostile kind's answer. */
  record Result(int hostile, int goodAnswered, Map<String, String> answers) {}

  private final PrintStream out;
  private final List<String> failures;
  private final Map<String, String> answers = new TreeMap<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final Tokens tokens = new Tokens(SECRET);
  private int port;
  private int hostile;

  private HostileHttp(PrintStream out, List<String> failures) {
    this.out = out;
    this.failures = failures;
  }

  /** Runs the HTTP half against the topics under {@code prefix}; what fails is added to {@code failures}. */
  static Result run(String bootstrap, String prefix, PrintStream out, List<String> failures) throws Exception {
    return new HostileHttp(out, failures).run(bootstrap, prefix);
  }

  private Result run(String bootstrap, String prefix) throws Exception {
    IngestConfig config = new IngestConfig(0, bootstrap, prefix, SECRET, ADMIN, Duration.ofSeconds(5), 10_000, 5, 2_000,
        4096, IngestConfig.LOOPBACK, 2);
    // The trickling client meets an ingest of its own with a short header deadline: on the main one, that
    // deadline would also close the good users' idle kept-alive connections under their clients' feet.
    IngestConfig shortDeadline = config.withBounds(new IngestConfig.Bounds(1_000, HEADER_DEADLINE, 64L << 20, -1));
    try (IngestServer ingest = IngestServer.start(config)) {
      port = ingest.port();
      createPool();
      // The good users: 40, four shakes each, sent while the hostile requests go out.
      List<CompletableFuture<HttpResponse<String>>> good = new ArrayList<>();
      for (int u = 0; u < 40; u++) {
        String token = tokens.mint("good-" + u, System.currentTimeMillis() + 600_000);
        for (int s = 0; s < 4; s++) {
          good.add(http.sendAsync(shake(token, "good-" + u + "-" + s), HttpResponse.BodyHandlers.ofString()));
        }
      }
      sendHostile();
      int answered = checkGood(good);
      try (IngestServer strict = IngestServer.start(shortDeadline)) {
        trickle(strict.port());
      }
      out.printf("hostile drill: HTTP: %d hostile requests answered 4xx or closed; %d of %d good shakes answered%n",
          hostile, answered, good.size());
      answers.forEach((kind, answer) -> out.printf("  %-34s %s%n", kind, answer));
      return new Result(hostile, answered, Map.copyOf(answers));
    }
  }

  private void createPool() throws Exception {
    long now = System.currentTimeMillis();
    JsonObject pool = new JsonObject().put("poolId", POOL).put("sponsor", "drill").put("totalCents", 200_000)
        .put("totalCount", 400).put("sets", 2).put("minCents", 1).put("maxCents", 2_000).put("startMillis", now - 1_000)
        .put("endMillis", now + 600_000).put("splitMode", "LUCKY").put("perUserLimit", 1);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/v1/admin/pools")).header("Authorization", "Bearer " + ADMIN)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(pool.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("the drill's pool was refused: " + r.statusCode() + " " + r.body());
    }
    // Known to the ingest once a shake is no longer answered "unknown pool" (a probe user's, one a second).
    String probe = tokens.mint("probe", System.currentTimeMillis() + 600_000);
    int[] n = {0};
    Await.until("the ingest to know the drill's HTTP pool", Duration.ofSeconds(60), () -> {
      HttpResponse<String> p = http.send(shake(probe, "probe-" + n[0]++), HttpResponse.BodyHandlers.ofString());
      if (p.statusCode() == 200 && p.body().contains("UNKNOWN_POOL")) {
        Thread.sleep(300); // within the probe's own rate
        return false;
      }
      return true;
    });
  }

  private void sendHostile() throws Exception {
    String mallory = tokens.mint("mallory", System.currentTimeMillis() + 600_000);
    String foreign = new Tokens("another-secret-entirely-0123").mint("mallory", System.currentTimeMillis() + 600_000);
    String expired = tokens.mint("mallory", System.currentTimeMillis() - 1_000);
    String forged = mallory.substring(0, mallory.length() - 2) + (mallory.endsWith("AA") ? "BB" : "AA");
    byte[] noise = new byte[48];
    new Random(15).nextBytes(noise);
    String garbage = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(noise);

    expect("malformed JSON", post("/v1/shakes", mallory, "{\"shakeId\":"), code -> code == 400, true);
    expect("duplicated key", post("/v1/shakes", mallory, "{\"shakeId\":\"a\",\"shakeId\":\"b\",\"poolId\":\"" + POOL + "\"}"),
        code -> code == 400, true);
    expect("JSON array", post("/v1/shakes", mallory, "[1,2,3]"), code -> code == 400, true);
    expect("wrong types", post("/v1/shakes", mallory, "{\"shakeId\":5,\"poolId\":true}"), code -> code == 400, true);
    expect("unknown field", post("/v1/shakes", mallory, "{\"shakeId\":\"x\",\"poolId\":\"" + POOL + "\",\"cents\":1}"),
        code -> code == 400, true);
    expect("2 KB shake id", post("/v1/shakes", mallory, "{\"shakeId\":\"" + "i".repeat(2_000) + "\",\"poolId\":\"" + POOL + "\"}"),
        code -> code == 400, true);
    raw("100 KB body", "POST /v1/shakes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + mallory
        + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"shakeId\":\"" + "b".repeat(99_985) + "\"}");
    expect("no token", send(HttpRequest.newBuilder(uri("/v1/shakes")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"shakeId\":\"x\",\"poolId\":\"" + POOL + "\"}"))), code -> code == 401, true);
    String body = "{\"shakeId\":\"x\",\"poolId\":\"" + POOL + "\"}";
    expect("forged token", post("/v1/shakes", forged, body), code -> code == 401, true);
    expect("token of another secret", post("/v1/shakes", foreign, body), code -> code == 401, true);
    expect("expired token", post("/v1/shakes", expired, body), code -> code == 401, true);
    expect("garbage token", post("/v1/shakes", garbage, body), code -> code == 401, true);
    expect("4 KB token", post("/v1/shakes", "v1." + "t".repeat(4_000), body), code -> code == 401, true);
    expect("user token on the admin route", post("/v1/admin/pools", mallory, "{}"), code -> code == 401 || code == 403, true);
    expect("unknown route", send(HttpRequest.newBuilder(uri("/v1/nothing-here")).header("Authorization", "Bearer " + mallory)),
        code -> code == 404, true);
    expect("wrong method", send(HttpRequest.newBuilder(uri("/v1/shakes")).header("Authorization", "Bearer " + mallory)
        .DELETE()), code -> code == 405, true);
    expect("forged share code", send(HttpRequest.newBuilder(uri("/v1/shares/" + "Zm9v.AAAAAAAAAAAAAAAAAAAAAA" + "/claim"))
        .header("Authorization", "Bearer " + mallory).header("Idempotency-Key", "k-1")
        .POST(HttpRequest.BodyPublishers.noBody())), code -> code == 404 || code == 429, true);
    flood(mallory);
    raw("20 KB header", "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(20_000) + "\r\n\r\n");
    raw("10 KB request line", "GET /" + "p".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    raw("bytes that are not HTTP", new String(noise, StandardCharsets.ISO_8859_1) + "\r\n\r\n");
  }

  /**
   * One user's 150 opens of grants that do not exist, all at once. The first few (the user's burst) are
   * forwarded: the ingest cannot tell an unknown grant from one not read yet, so they are answered when
   * settlement says unknown ({@code 404}) or with {@code 202} and a poll URL; the rest {@code 429} with
   * {@code Retry-After}, before they cost anything.
   */
  private void flood(String token) throws Exception {
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      sent.add(http.sendAsync(HttpRequest.newBuilder(uri("/v1/grants/" + POOL + "%2F0%2F" + (900_000 + i) + "/open"))
          .header("Authorization", "Bearer " + token).header("Idempotency-Key", "flood-" + i)
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    Map<Integer, Integer> byStatus = new TreeMap<>();
    for (CompletableFuture<HttpResponse<String>> f : sent) {
      hostile++;
      HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
      byStatus.merge(r.statusCode(), 1, Integer::sum);
      boolean ok = r.statusCode() == 404 || r.statusCode() == 202
          || r.statusCode() == 429 && r.headers().firstValue("Retry-After").isPresent();
      if (!ok) {
        failures.add("HTTP: a flooded open of an unknown grant got " + r.statusCode() + " " + clip(r.body()));
      }
    }
    answers.put("flood of unknown grants (150)", "by status " + byStatus);
    if (byStatus.getOrDefault(429, 0) < 100) {
      failures.add("HTTP: a flood of 150 opens from one user was limited only " + byStatus.getOrDefault(429, 0)
          + " times (429)");
    }
  }

  /** A client that sends a request line and then a header line every 200 ms, never ending them. */
  private void trickle(int strictPort) throws Exception {
    hostile++;
    long start = System.nanoTime();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), strictPort)) {
      s.setSoTimeout(200);
      OutputStream o = s.getOutputStream();
      o.write("GET /health/live HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      long bound = System.nanoTime() + HEADER_DEADLINE.plusSeconds(5).toNanos();
      boolean closed = false;
      for (int i = 0; System.nanoTime() < bound && !closed; i++) {
        try {
          o.write(("X-Slow-" + i + ": a\r\n").getBytes(StandardCharsets.US_ASCII));
          o.flush();
          closed = s.getInputStream().read() < 0;
        } catch (SocketTimeoutException stillOpen) {
          // nothing yet: one more header line
        } catch (IOException reset) {
          closed = true;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      answers.put("headers trickled (a line per 200 ms)", closed ? String.format("closed after %.1f s", seconds)
          : "still open after " + String.format("%.1f s", seconds));
      if (!closed) {
        failures.add("HTTP: a client trickling its headers was not closed within the header deadline ("
            + HEADER_DEADLINE.toSeconds() + " s) and a sweep");
      }
    }
  }

  /** Sends raw bytes on a connection of their own: a 4xx status line, or the connection closed, will do. */
  private void raw(String kind, String request) throws IOException {
    hostile++;
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      try {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
      } catch (IOException closedEarly) {
        answers.put(kind, "closed");
        return;
      }
      String head = firstLine(s.getInputStream());
      answers.put(kind, head.isEmpty() ? "closed" : head);
      if (!head.isEmpty() && !head.matches("HTTP/1\\.[01] 4\\d\\d.*")) {
        failures.add("HTTP: " + kind + " got '" + head + "', not a 4xx");
      }
    } catch (SocketTimeoutException e) {
      failures.add("HTTP: " + kind + " was neither answered nor closed in 10 s");
    }
  }

  private static String firstLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    try {
      for (int b = in.read(); b >= 0 && b != '\r' && b != '\n'; b = in.read()) {
        sb.append((char) b);
      }
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException reset) {
      // closed with a reset: as good as closed
    }
    return sb.toString();
  }

  private void expect(String kind, HttpResponse<String> r, IntPredicate status, boolean jsonError) {
    hostile++;
    answers.put(kind, r.statusCode() + " " + clip(r.body()));
    if (!status.test(r.statusCode())) {
      failures.add("HTTP: " + kind + " got " + r.statusCode() + " " + clip(r.body()));
      return;
    }
    if (jsonError) {
      try {
        JsonObject j = new JsonObject(r.body());
        if (j.getString("code", "").isEmpty() || j.getString("message", "").isEmpty()) {
          failures.add("HTTP: " + kind + ": the error does not say what and why: " + clip(r.body()));
        }
      } catch (RuntimeException notJson) {
        failures.add("HTTP: " + kind + ": the error body is not JSON: " + clip(r.body()));
      }
    }
  }

  private int checkGood(List<CompletableFuture<HttpResponse<String>>> good) {
    int answered = 0;
    Map<Integer, Integer> byStatus = new TreeMap<>();
    for (CompletableFuture<HttpResponse<String>> f : good) {
      try {
        HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
        byStatus.merge(r.statusCode(), 1, Integer::sum);
        if (r.statusCode() == 200 || r.statusCode() == 202) {
          answered++;
        }
      } catch (Exception e) {
        byStatus.merge(-1, 1, Integer::sum);
      }
    }
    answers.put("good shakes by status", byStatus.toString());
    if (answered != good.size()) {
      failures.add("HTTP: only " + answered + " of " + good.size() + " good shakes were answered 200 or 202: " + byStatus);
    }
    return answered;
  }

  private HttpRequest shake(String token, String shakeId) {
    return HttpRequest.newBuilder(uri("/v1/shakes")).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("shakeId", shakeId).put("poolId", POOL).encode()))
        .build();
  }

  private HttpResponse<String> post(String path, String token, String body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static String clip(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "...";
  }
}
