package io.redpacket.jobs.common;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The keys of one subtask that have requests waiting in list state, kept on the heap so that the
 * list is read from RocksDB only for them, not for every record. The set is not checkpointed: after
 * a restore every key may have waiters for one wait (plus a minute's margin for late timers), by
 * when the restored waiters have been answered by their timers.
 */
public final class WaitingKeys {
  private final Set<String> keys = new HashSet<>();
  private final boolean restored;
  private long checkAllUntil;

  public WaitingKeys(boolean restored, Duration wait) {
    this.restored = restored;
    this.checkAllUntil = restored ? System.currentTimeMillis() + wait.toMillis() + 60_000 : 0;
  }

  public void add(String key) {
    keys.add(key);
  }

  public void remove(String key) {
    keys.remove(key);
  }

  /** Whether the key may have requests waiting, so that its waiting list must be read. */
  public boolean mayWait(String key) {
    if (keys.contains(key)) {
      return true;
    }
    if (checkAllUntil != 0 && System.currentTimeMillis() > checkAllUntil) {
      checkAllUntil = 0;
    }
    return checkAllUntil != 0;
  }

  /** Whether this subtask started from a checkpoint or savepoint. */
  public boolean restored() {
    return restored;
  }
}
