package io.redpacket.simulator;

import io.redpacket.core.ClientPolicy;
import io.redpacket.core.Tokens;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every simulated HTTP client holds: a Vert.x client with a pool of keep-alive connections
 * to the ingest, and each virtual user's own token (minted once, valid for a day).
 */
final class VirtualUsers implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  /**
   * The event loops the users run on, one per core. Vert.x ties every call from one outside thread to
   * one loop (its sticky context), so a wave started from one thread would drive all its users from a
   * single core; the simulator hands its users to these loops in turn instead.
   */
  private final List<Context> loops;
  private final AtomicInteger nextLoop = new AtomicInteger();
  final HttpClient client;
  /**
   * For polls the ingest holds until something changes ({@code ?wait=}): a pool of their own, so that a poll held
   * for seconds never keeps a request from a connection, as on phones, which each have their own.
   */
  final HttpClient heldPolls;
  /** Connections for held polls. */
  static final int HELD_POLL_CONNECTIONS = 2048;
  final Duration timeout;
  /** How long past its timeout a request may still take before {@link #bounded} gives up on it. */
  static final long GRACE_MILLIS = 15_000;
  /**
   * How long one HTTP exchange may stay silent. The ingest answers within seconds (its Kafka
   * delivery timeout plus its outcome wait), so a longer silence is a lost exchange: the client
   * sends it again with the same idempotency key while its overall timeout lasts.
   */
  static final long EXCHANGE_MILLIS = 20_000;
  private final String host;
  private final int port;
  private final Tokens tokens;
  private final Map<String, String> tokenOf = new ConcurrentHashMap<>();
  /** The newest client policy seen on any answer; every virtual user obeys it. */
  private volatile ClientPolicy policy = ClientPolicy.DEFAULT;
  /** The header value last read, so that the same policy on the next answer is not parsed again. */
  private volatile String policyHeader;

  VirtualUsers(String baseUrl, String tokenSecret, int connections, Duration timeout) {
    URI uri = URI.create(baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort();
    this.tokens = new Tokens(tokenSecret);
    this.timeout = timeout;
    this.loops = eventLoops(vertx, Runtime.getRuntime().availableProcessors());
    vertx.exceptionHandler(this::unhandled);
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(20),
        new PoolOptions().setHttp1MaxSize(connections));
    this.heldPolls = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(30),
        new PoolOptions().setHttp1MaxSize(HELD_POLL_CONNECTIONS));
  }

  private static List<Context> eventLoops(Vertx vertx, int n) {
    List<Context> contexts = new CopyOnWriteArrayList<>();
    // Each instance of a verticle gets an event loop of its own, in turn: a way to hold n distinct loops.
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        contexts.add(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(n)).await();
    return List.copyOf(contexts);
  }

  /** The next user's event loop: users are spread over every core's loop in turn. */
  Context nextLoop() {
    return loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
  }

  /** Runs {@code action} after {@code delayMillis} on the next user's event loop (from any thread). */
  void later(long delayMillis, Runnable action) {
    nextLoop().runOnContext(v -> vertx.setTimer(Math.max(1, delayMillis), id -> action.run()));
  }

  String token(String user) {
    return tokenOf.computeIfAbsent(user, u -> tokens.mint(u, System.currentTimeMillis() + 86_400_000L));
  }

  /**
   * A request to the ingest as this user, with their token. Waiting for a pooled connection and
   * waiting for the answer are each bounded by the exchange's limit (or the timeout, if shorter).
   */
  RequestOptions request(HttpMethod method, String uri, String user) {
    long exchange = Math.min(timeout.toMillis(), EXCHANGE_MILLIS);
    return new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(uri)
        .setConnectTimeout(exchange).setIdleTimeout(exchange)
        .putHeader("Authorization", "Bearer " + token(user));
  }

  /** Reads an answer's {@link ClientPolicy#HEADER}, if any; an older policy (by its epoch) does not replace a newer one. */
  void observePolicy(String header) {
    if (header == null || header.equals(policyHeader)) {
      return;
    }
    ClientPolicy p = ClientPolicy.parse(header);
    synchronized (this) {
      if (p.epoch() >= policy.epoch()) {
        policy = p;
      }
      policyHeader = header;
    }
  }

  ClientPolicy policy() {
    return policy;
  }

  /** Whether a request first sent at {@code t0} may still be sent again: its timeout has not passed. */
  boolean timeLeft(long t0) {
    return System.nanoTime() - t0 < timeout.toNanos();
  }

  /** When a request first sent at {@code t0} is given up on by {@link #bounded}: its timeout plus a grace. */
  long deadline(long t0) {
    return t0 + timeout.toNanos() + GRACE_MILLIS * 1_000_000;
  }

  /**
   * The request's outcome, or {@code fallback} once {@code deadlineNanos} (on the nanoTime clock)
   * has passed, whatever the client is still waiting on. Each HTTP request is bounded, but a
   * request's retries and polls add up, and a client that never gives up would keep a wave waiting
   * for ever; {@code onCut} counts the ones cut this way.
   */
  <T> Future<T> bounded(Future<T> request, long deadlineNanos, T fallback, Runnable onCut) {
    Promise<T> outcome = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000), id -> {
      if (outcome.tryComplete(fallback)) {
        onCut.run();
      }
    });
    request.onComplete(ar -> {
      vertx.cancelTimer(timer);
      outcome.tryComplete(ar.succeeded() ? ar.result() : fallback);
    });
    return outcome.future();
  }

  /** Exceptions Vert.x raised outside any request's handlers, by kind (see {@link #unhandled(Throwable)}). */
  private final Map<String, AtomicInteger> unhandledByKind = new ConcurrentHashMap<>();

  /**
   * Vert.x 5.0's client connection pool can complete a request's connection twice when a connection fails while
   * its connect timer fires (a broker or the ingest going away under load): it throws "Promise already completed"
   * outside any handler of ours, and would print a stack trace for each, dozens in a chaos wave. The request
   * itself is answered, retried or timed out as usual, so these are counted and summed up once at the end; the
   * first of each kind keeps its stack trace.
   */
  private void unhandled(Throwable t) {
    String kind = t.getClass().getSimpleName() + ": " + t.getMessage();
    if (unhandledByKind.computeIfAbsent(kind, k -> new AtomicInteger()).getAndIncrement() == 0) {
      System.err.println("simulated clients: Vert.x raised an exception outside any request (counted from now on):");
      t.printStackTrace();
    }
  }

  @Override
  public void close() {
    client.close();
    heldPolls.close();
    vertx.close();
    unhandledByKind.forEach((kind, n) -> System.err.printf("simulated clients: Vert.x raised %s %d times outside any request"
        + " (each request was still answered, retried or timed out)%n", kind, n.get()));
  }
}
