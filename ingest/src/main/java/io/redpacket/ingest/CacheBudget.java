package io.redpacket.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.generic.IndexedRecord;

/**
 * The memory the ingest's caches may take, shared out among them by use, each bounded by the bytes
 * its entries are estimated to hold rather than by their count: a count alone lets long ids (up to
 * the limits the routes accept) or big states multiply past the heap. Estimates are of the retained
 * size (object headers, strings at two bytes a character, the cache's own entry), erring high.
 */
final class CacheBudget {
  /** What a cache holds, and its share of the budget. */
  enum Use {
    GRANT_STATES(0.25), SHARE_STATES(0.15), SHAKE_OUTCOMES(0.15), OPEN_RESULTS(0.05), SHARE_RESULTS(0.05),
    OPENS_SENT(0.04), FIRST_ASKED(0.03), SHAKE_USERS(0.14), ROUTE_USERS(0.14);

    final double share;

    Use(double share) {
      this.share = share;
    }

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A Caffeine entry (node, its references and timestamps) and the key's String object, before characters. */
  static final int ENTRY_BYTES = 96;
  /** A {@link TokenBucket}. */
  static final int BUCKET_BYTES = 48;

  private final long totalBytes;
  private final Map<Use, Cache<?, ?>> caches = new ConcurrentHashMap<>();

  CacheBudget(long totalBytes) {
    if (totalBytes < Use.values().length * 1024L) {
      throw new IllegalArgumentException("the cache budget must be at least " + Use.values().length + " KiB, was "
          + totalBytes + " bytes");
    }
    this.totalBytes = totalBytes;
  }

  long bytes(Use use) {
    return (long) (totalBytes * use.share);
  }

  /** A cache for {@code use}, keyed by strings; {@code valueBytes} estimates one value. */
  <V> Cache<String, V> cache(Use use, ValueSize<V> valueBytes, Duration expiry, boolean afterAccess) {
    Caffeine<String, V> b = Caffeine.newBuilder().maximumWeight(bytes(use))
        .weigher((String k, V v) -> (int) Math.min(Integer.MAX_VALUE, ENTRY_BYTES + chars(k) + valueBytes.of(v)));
    if (expiry != null) {
      b = afterAccess ? b.expireAfterAccess(expiry) : b.expireAfterWrite(expiry);
    }
    Cache<String, V> c = b.build();
    caches.put(use, c);
    return c;
  }

  /** The estimated bytes a cache holds now, its pending evictions done first (0 for one not built). */
  long used(Use use) {
    Cache<?, ?> c = caches.get(use);
    if (c == null) {
      return 0;
    }
    c.cleanUp(); // Caffeine evicts in the background: until then a cache may stand above its bound for a moment
    return c.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  /** Publishes each cache's estimated bytes and its bound as {@code redpacket_ingest_cache_bytes{cache,of}}. */
  void register(IngestMetrics metrics) {
    GaugeWithCallback.builder().name("redpacket_ingest_cache_bytes")
        .help("estimated bytes held by each of the ingest's caches (of=used) and the most each may hold (of=bound)")
        .labelNames("cache", "of").callback(cb -> {
          for (Use u : Use.values()) {
            cb.call(used(u), u.label(), "used");
            cb.call(bytes(u), u.label(), "bound");
          }
        }).register(metrics.registry);
  }

  /** Estimates one value's bytes. */
  @FunctionalInterface
  interface ValueSize<V> {
    long of(V value);
  }

  /** A string's characters, at two bytes each (what a string of any characters may take). */
  static long chars(CharSequence s) {
    return s == null ? 0 : 2L * s.length();
  }

  /** An Avro record's estimated bytes: its fields, strings and nested records and lists, walked. */
  static long record(IndexedRecord r) {
    if (r == null) {
      return 0;
    }
    long bytes = 16 + 8L * r.getSchema().getFields().size();
    for (int i = 0; i < r.getSchema().getFields().size(); i++) {
      bytes += value(r.get(i));
    }
    return bytes;
  }

  private static long value(Object v) {
    if (v instanceof CharSequence s) {
      return 40 + chars(s);
    } else if (v instanceof IndexedRecord nested) {
      return record(nested);
    } else if (v instanceof List<?> list) {
      long bytes = 24 + 8L * list.size();
      for (Object o : list) {
        bytes += value(o);
      }
      return bytes;
    } else if (v instanceof java.nio.ByteBuffer buf) {
      return 48 + buf.capacity();
    } else if (v == null) {
      return 0;
    }
    return 16; // a boxed number, an enum constant, a boolean
  }
}
