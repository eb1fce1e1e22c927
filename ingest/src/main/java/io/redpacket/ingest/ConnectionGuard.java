package io.redpacket.ingest;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds what clients that open connections and dawdle can hold. At most {@code maxConnections}
 * are open at once, over every event loop; more are closed as they arrive. And a connection must
 * send a request's headers within the header deadline, counted from its opening or from its
 * previous answer, however slowly the bytes come: an idle timeout alone is reset by every byte, so
 * a client sending one byte a second would hold its connection for ever. Each event loop sweeps
 * its own connections once a second, so a request costs a map lookup and a field write, not a timer.
 */
final class ConnectionGuard {
  private final int maxConnections;
  private final long deadlineNanos;
  private final AtomicInteger open = new AtomicInteger();
  private final CounterDataPoint overCap;
  private final CounterDataPoint tooSlow;

  ConnectionGuard(IngestConfig.Bounds bounds, IngestMetrics metrics) {
    this.maxConnections = bounds.maxConnections();
    this.deadlineNanos = bounds.headerDeadline().toNanos();
    this.overCap = metrics.connectionsClosed.labelValues("over_cap");
    this.tooSlow = metrics.connectionsClosed.labelValues("header_deadline");
    io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("redpacket_ingest_connections_open")
        .help("HTTP connections open now, over every event loop").callback(cb -> cb.call(open.get()))
        .register(metrics.registry);
  }

  int open() {
    return open.get();
  }

  /** One event loop's part: its connections, touched only on that loop. */
  final class Loop {
    private final Map<HttpConnection, Watched> watched = new IdentityHashMap<>();

    /** Sweeps this loop's connections every second; call on the loop. */
    Loop(Vertx vertx) {
      vertx.setPeriodic(1000, id -> sweep(System.nanoTime()));
    }

    Handler<HttpConnection> onConnection(Handler<HttpConnection> then) {
      return c -> {
        if (open.incrementAndGet() > maxConnections) {
          open.decrementAndGet();
          overCap.inc();
          c.close();
          return;
        }
        Watched w = new Watched(System.nanoTime());
        watched.put(c, w);
        c.closeHandler(v -> {
          watched.remove(c);
          open.decrementAndGet();
        });
        then.handle(c);
      };
    }

    Handler<HttpServerRequest> onRequest(Handler<HttpServerRequest> then) {
      return req -> {
        Watched w = watched.get(req.connection());
        if (w != null) {
          w.current = req;
        }
        then.handle(req);
      };
    }

    private void sweep(long now) {
      java.util.List<HttpConnection> late = new java.util.ArrayList<>();
      for (var e : watched.entrySet()) {
        Watched w = e.getValue();
        HttpServerRequest r = w.current;
        if (r != null) {
          if (!r.response().ended() && !r.response().closed()) {
            continue; // a request being answered: the wait for the next one has not begun
          }
          w.current = null;
          w.since = now; // the next request's headers are due from about now (the sweep is a second coarse)
        } else if (now - w.since > deadlineNanos) {
          late.add(e.getKey());
        }
      }
      for (HttpConnection c : late) { // closed after the walk: a close handler may run at once and edit the map
        tooSlow.inc();
        c.close();
      }
    }
  }

  /** A connection's state: the request being answered, or since when the next one's headers are awaited. */
  private static final class Watched {
    HttpServerRequest current;
    long since;

    Watched(long since) {
      this.since = since;
    }
  }
}
