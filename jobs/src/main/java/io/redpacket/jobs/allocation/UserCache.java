package io.redpacket.jobs.allocation;

import io.redpacket.core.UserRecord;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The user records a subtask used last, on the heap, in front of RocksDB. A user who shakes again
 * (a winner retrying, or shaking on after the limit) is answered from here instead of a RocksDB
 * read and a deserialization, which were the allocation's largest cost of its own. Written
 * through: RocksDB stays the truth that checkpoints see, and a restored subtask starts empty.
 * Bounded: past its capacity (in records) the least recently used user's records leave (they are
 * still in RocksDB). One thread (the task's) uses it.
 *
 * <p>Looked up by user id alone, then by set among that user's few: a lookup was a record key made per shake,
 * hashed and compared through both of its strings, in a map too large for the CPU's caches (a profile put
 * it at a tenth of the allocating task's time).
 */
final class UserCache {
  /** A user's record in one (pool, set) key; a user holds one in each pool they shook, chained. */
  private static final class Entry {
    final String set;
    UserRecord record;
    Entry next;

    Entry(String set, UserRecord record, Entry next) {
      this.set = set;
      this.record = record;
      this.next = next;
    }
  }

  private final int capacity;
  private final LinkedHashMap<String, Entry> byUser = new LinkedHashMap<>(16, 0.75f, true);
  private int records;

  UserCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
    }
    this.capacity = capacity;
  }

  /** The cached record, or null when it is not cached (not that the user has none). */
  UserRecord get(String set, String user) {
    for (Entry e = byUser.get(user); e != null; e = e.next) {
      if (e.set.equals(set)) {
        return e.record;
      }
    }
    return null;
  }

  void put(String set, String user, UserRecord record) {
    Entry first = byUser.get(user);
    for (Entry e = first; e != null; e = e.next) {
      if (e.set.equals(set)) {
        e.record = record;
        return;
      }
    }
    byUser.put(user, new Entry(set, record, first));
    records++;
    Iterator<Map.Entry<String, Entry>> eldest = byUser.entrySet().iterator();
    while (records > capacity) {
      Map.Entry<String, Entry> gone = eldest.next();
      if (gone.getKey().equals(user)) {
        break; // the last in order: the user just put stays, even one holding more records than the capacity
      }
      records -= chainLength(gone.getValue());
      eldest.remove();
    }
  }

  /** Forgets every user of a set whose per-user state is cleared: a retired set answers without them. */
  void dropSet(String set) {
    Iterator<Map.Entry<String, Entry>> all = byUser.entrySet().iterator();
    while (all.hasNext()) {
      Map.Entry<String, Entry> user = all.next();
      Entry kept = null;
      for (Entry e = user.getValue(); e != null; e = e.next) {
        if (e.set.equals(set)) {
          records--;
        } else {
          kept = new Entry(e.set, e.record, kept);
        }
      }
      if (kept == null) {
        all.remove();
      } else {
        user.setValue(kept);
      }
    }
  }

  /** Records held (a user in two pools holds two). */
  int size() {
    return records;
  }

  private static int chainLength(Entry e) {
    int n = 0;
    for (; e != null; e = e.next) {
      n++;
    }
    return n;
  }
}
