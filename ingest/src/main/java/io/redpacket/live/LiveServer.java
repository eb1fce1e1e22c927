package io.redpacket.live;

import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Table;
import io.redpacket.ingest.TopicLoop;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live page of a wave: a small service of its own that reads {@code pool-status},
 * {@code grants}, {@code ledger} and {@code wallets} from the start (read_committed, as every
 * money reader) into a {@link LiveView}, and serves a page whose numbers and charts update by
 * server-sent events twice a second. {@code GET /} is the page, {@code GET /api/live} the same
 * numbers as JSON, {@code GET /events} the event stream.
 */
public final class LiveServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveServer.class);
  private final Vertx vertx = Vertx.vertx();
  /** Guards {@link #view}: the reader thread folds into it, the HTTP threads take snapshots. */
  private final Object lock = new Object();
  private LiveView view = new LiveView();
  private final Set<HttpServerResponse> listeners = new CopyOnWriteArraySet<>();
  private final TopicLoop reader;
  private final String page;
  private volatile java.util.function.Supplier<String> metrics = () -> "";
  /** The edge's funnel and client policy, when an ingest runs beside the page (the demo over HTTP). */
  private volatile java.util.function.Supplier<JsonObject> edge = () -> null;
  private HttpServer server;

  private LiveServer(String bootstrap, String prefix) {
    try (InputStream in = LiveServer.class.getResourceAsStream("/io/redpacket/live/index.html")) {
      page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    reader = TopicLoop.start(bootstrap, true, "live-reader", (consumer, running) -> read(consumer, running, prefix));
  }

  /** Starts the page on {@code port} (0: any free port) over the topics with this prefix. */
  public static LiveServer start(String bootstrap, String prefix, int port) throws Exception {
    LiveServer s = new LiveServer(bootstrap, prefix);
    Router router = Router.router(s.vertx);
    router.get("/").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(s.page));
    router.get("/api/live").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end(s.snapshot().encode()));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(s.metrics.get()));
    router.get("/events").handler(ctx -> {
      HttpServerResponse r = ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
          .putHeader("Cache-Control", "no-cache");
      r.write("retry: 1000\n\n");
      s.listeners.add(r);
      r.closeHandler(v -> s.listeners.remove(r));
    });
    try {
      s.server = s.vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1").await(30, TimeUnit.SECONDS);
    } catch (RuntimeException taken) {
      if (port == 0) {
        throw taken;
      }
      LOG.warn("port {} is taken ({}); the live page takes a free one", port, taken.getMessage());
      s.server = s.vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
    }
    s.vertx.setPeriodic(500, id -> {
      if (!s.listeners.isEmpty()) {
        String event = "data: " + s.snapshot().encode() + "\n\n";
        s.listeners.forEach(r -> r.write(event));
      }
    });
    return s;
  }

  /** What {@code GET /metrics} serves: the demo's simulated clients put theirs here. */
  public void serveMetrics(java.util.function.Supplier<String> scrape) {
    this.metrics = scrape;
  }

  /** What the page's edge panel shows: the policy in force and the funnel of shakes (see {@code IngestServer#edge}). */
  public void serveEdge(java.util.function.Supplier<JsonObject> funnel) {
    this.edge = funnel;
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port() + "/";
  }

  /** One session with Kafka: every topic from the start, folded into a new view. */
  private void read(KafkaConsumer<byte[], byte[]> consumer, BooleanSupplier running, String prefix) {
    String grants = Topics.named(prefix, Topics.GRANTS);
    String status = Topics.named(prefix, Topics.POOL_STATUS);
    String ledger = Topics.named(prefix, Topics.LEDGER);
    String wallets = Topics.named(prefix, Topics.WALLETS);
    List<TopicPartition> all = new ArrayList<>();
    for (String t : List.of(grants, status, ledger, wallets)) {
      all.addAll(TopicLoop.partitions(consumer, t));
    }
    consumer.assign(all);
    consumer.seekToBeginning(all);
    synchronized (lock) { // read again from the start after losing Kafka: fold from nothing again
      view = new LiveView();
    }
    while (running.getAsBoolean()) {
      var records = consumer.poll(Duration.ofMillis(200));
      long now = System.currentTimeMillis();
      synchronized (lock) {
        // The jobs dead-letter what they cannot read; the page shows what they wrote.
        TopicLoop.each(records, r -> {
          if (r.topic().equals(grants)) {
            view.onGrant(Codecs.GRANT.decode(r.value()), now);
          } else if (r.topic().equals(status)) {
            view.onPoolStatus(Codecs.POOL_STATUS.decode(r.value()));
          } else if (r.topic().equals(ledger)) {
            view.onLedger(Codecs.LEDGER.decode(r.value()), now);
          } else {
            view.onWallet(Codecs.WALLET.decode(r.value()));
          }
        });
      }
    }
  }

  /** The numbers on the page: money in cents and as text, so the page shows exactly what the audit prints. */
  public JsonObject snapshot() {
    JsonObject funnel = edge.get(); // outside the lock: the ingest's counters, not the view
    synchronized (lock) {
      long now = System.currentTimeMillis();
      JsonArray pools = new JsonArray();
      view.pools.forEach((id, row) -> {
        JsonArray sets = new JsonArray();
        row.bySet.values().forEach(s -> sets.add(new JsonObject().put("set", s.getSetId())
            .put("grantedCount", s.getGrantedCount()).put("remainingCount", s.getRemainingCount())
            .put("remainingCents", s.getRemainingCents())));
        pools.add(new JsonObject().put("poolId", id).put("grants", row.grants).put("grantedCents", row.grantedCents)
            .put("granted", Table.money(row.grantedCents)).put("sets", row.sets).put("exhaustedSets", row.exhaustedSets())
            .put("remainingCount", row.remainingCount()).put("remaining", Table.money(row.remainingCents()))
            .put("bySet", sets));
      });
      JsonArray top = new JsonArray();
      for (Grant g : view.largest()) {
        top.add(new JsonObject().put("grantId", g.getGrantId()).put("userId", g.getUserId()).put("cents", g.getCents())
            .put("amount", Table.money(g.getCents())));
      }
      JsonArray series = new JsonArray();
      for (long[] s : view.series(now)) {
        series.add(new JsonArray().add(s[0]).add(s[1]).add(s[2]).add(s[3]));
      }
      JsonObject money = new JsonObject();
      for (EntryKind k : EntryKind.values()) {
        money.put(k.name(), new JsonObject().put("cents", view.cents(k)).put("amount", Table.money(view.cents(k)))
            .put("entries", view.entries(k)));
      }
      long granted = view.grantedCents();
      long settled = view.cents(EntryKind.CREDIT) + view.cents(EntryKind.REFUND);
      return new JsonObject().put("at", now).put("grants", view.grants()).put("grantedCents", granted)
          .put("granted", Table.money(granted))
          .put("credited", Table.money(view.cents(EntryKind.CREDIT)))
          .put("refunded", Table.money(view.cents(EntryKind.REFUND)))
          .put("outstanding", Table.money(view.cents(EntryKind.RESERVE) - settled))
          .put("shareCredited", Table.money(view.cents(EntryKind.SHARE_CREDIT)))
          .put("shareRefunded", Table.money(view.cents(EntryKind.SHARE_REFUND)))
          .put("wallets", view.walletCount()).put("walletCents", view.walletCents())
          .put("walletTotal", Table.money(view.walletCents()))
          .put("money", money).put("pools", pools).put("largest", top).put("series", series).put("edge", funnel);
    }
  }

  @Override
  public void close() {
    reader.close();
    listeners.forEach(r -> {
      try {
        r.end();
      } catch (RuntimeException ignored) {
        // the browser went away first
      }
    });
    vertx.close();
  }
}
