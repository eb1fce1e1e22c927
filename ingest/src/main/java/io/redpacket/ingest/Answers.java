package io.redpacket.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers the backend writes, by key: requests waiting for theirs, and the recent ones (bounded)
 * for polls and client retries.
 */
final class Answers<V> {
  private final Map<String, CompletableFuture<V>> waiting = new ConcurrentHashMap<>();
  private final Cache<String, V> recent;

  /** {@code recent}: where answers are kept for polls and retries, bounded by its maker. */
  Answers(Cache<String, V> recent) {
    this.recent = recent;
  }

  void publish(String key, V answer) {
    recent.put(key, answer);
    CompletableFuture<V> f = waiting.remove(key);
    if (f != null) {
      f.complete(answer);
    }
  }

  /** Registers interest before the request is sent, so its answer cannot slip by. */
  CompletableFuture<V> await(String key) {
    return waiting.computeIfAbsent(key, k -> new CompletableFuture<>());
  }

  void forget(String key) {
    waiting.remove(key);
  }

  V known(String key) {
    return recent.getIfPresent(key);
  }
}
