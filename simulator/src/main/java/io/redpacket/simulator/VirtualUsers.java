package io.redpacket.simulator;

import io.redpacket.core.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every simulated HTTP client holds: a Vert.x client with a pool of keep-alive connections
 * to the ingest, and each virtual user's own token (minted once, valid for a day).
 */
final class VirtualUsers implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final HttpClient client;
  final Duration timeout;
  private final String host;
  private final int port;
  private final Tokens tokens;
  private final Map<String, String> tokenOf = new ConcurrentHashMap<>();

  VirtualUsers(String baseUrl, String tokenSecret, int connections, Duration timeout) {
    URI uri = URI.create(baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort();
    this.tokens = new Tokens(tokenSecret);
    this.timeout = timeout;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(connections));
  }

  String token(String user) {
    return tokenOf.computeIfAbsent(user, u -> tokens.mint(u, System.currentTimeMillis() + 86_400_000L));
  }

  /** A request to the ingest as this user, with their token. */
  RequestOptions request(HttpMethod method, String uri, String user) {
    return new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(uri)
        .putHeader("Authorization", "Bearer " + token(user));
  }

  @Override
  public void close() {
    client.close();
    vertx.close();
  }
}
