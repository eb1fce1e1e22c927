package io.redpacket.jobs.allocation;

import io.redpacket.core.UserRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The user records a subtask used last, on the heap, in front of RocksDB. A user who shakes again
 * (a winner retrying, or shaking on after the limit) is answered from here instead of a RocksDB
 * read and a deserialization, which were the allocation's largest cost of its own. Written
 * through: RocksDB stays the truth that checkpoints see, and a restored subtask starts empty.
 * Bounded: past its capacity the least recently used record leaves (it is still in RocksDB).
 * One thread (the task's) uses it.
 */
final class UserCache {
  /** A user's record is per (pool, set) key: the same user holds one in each pool they shook. */
  private record Key(String set, String user) {}

  private final int capacity;
  private final LinkedHashMap<Key, UserRecord> records;

  UserCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
    }
    this.capacity = capacity;
    this.records = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, UserRecord> eldest) {
        return size() > UserCache.this.capacity;
      }
    };
  }

  /** The cached record, or null when it is not cached (not that the user has none). */
  UserRecord get(String set, String user) {
    return records.get(new Key(set, user));
  }

  void put(String set, String user, UserRecord record) {
    records.put(new Key(set, user), record);
  }

  /** Forgets every user of a set whose per-user state is cleared: a retired set answers without them. */
  void dropSet(String set) {
    records.keySet().removeIf(k -> k.set().equals(set));
  }

  int size() {
    return records.size();
  }
}
