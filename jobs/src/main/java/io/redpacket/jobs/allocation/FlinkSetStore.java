package io.redpacket.jobs.allocation;

import io.redpacket.core.KeyFilter;
import io.redpacket.core.SetState;
import io.redpacket.core.SetStore;
import io.redpacket.core.StableHash;
import io.redpacket.core.UserRecord;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;

/**
 * The allocator's {@link SetStore} over Flink keyed state (RocksDB), scoped to the current key.
 * Every shake reads its set, so sets (a few per pool per subtask, a few dozen bytes each) are
 * also kept in a write-through heap cache; RocksDB stays the truth that checkpoints see. A Bloom
 * filter of the users with state spares the read for users who never had any, and a bounded
 * {@link UserCache} the read for users who shake again.
 */
final class FlinkSetStore implements SetStore {
  private final ValueState<SetState> set;
  private final MapState<String, UserRecord> users;
  /** The keys of this subtask whose set exists, with the set: one lookup per shake gives both. */
  private final Map<String, Slot> slots = new HashMap<>();
  private final KeyFilter known;
  private final UserCache recent;
  private Slot slot;

  /**
   * A (pool, set) key and its set. The key is the first instance seen, so that the user cache compares keys by
   * identity first: the key of a record is a new string each time.
   */
  private static final class Slot {
    final String key;
    SetState set;

    Slot(String key) {
      this.key = key;
    }
  }

  /**
   * @param known the users of this subtask that may hold state; a user not in it is read as absent
   * @param recent the records of the users seen last, written through
   */
  FlinkSetStore(ValueState<SetState> set, MapState<String, UserRecord> users, KeyFilter known, UserCache recent) {
    this.set = set;
    this.users = users;
    this.known = known;
    this.recent = recent;
  }

  /** Scopes the store to the current key; call before each element or timer. */
  void at(String currentKey) {
    Slot known = slots.get(currentKey);
    // Kept only once its set exists: keys of pools never defined (any producer can write them) take no heap.
    this.slot = known != null ? known : new Slot(currentKey);
  }

  @Override
  public SetState set() {
    if (slot.set == null) {
      keep(call(set::value));
    }
    return slot.set;
  }

  @Override
  public void putSet(SetState state) {
    run(() -> set.update(state));
    keep(state);
  }

  private void keep(SetState state) {
    if (state == null) {
      slot.set = null;
      slots.remove(slot.key);
      return;
    }
    if (slot.set == null) {
      slots.put(slot.key, slot);
    }
    slot.set = state;
  }

  @Override
  public UserRecord user(String userId) {
    return user(userId, StableHash.of(userId));
  }

  @Override
  public UserRecord user(String userId, long userHash) {
    if (!known.mightContain(userHash)) {
      return null; // certainly never stored: most losing shakes skip the state read
    }
    UserRecord user = recent.get(slot.key, userId);
    if (user == null) {
      user = call(() -> users.get(userId));
      if (user != null) {
        recent.put(slot.key, userId, user);
      }
    }
    return user;
  }

  @Override
  public void putUser(String userId, UserRecord user) {
    known.add(userId);
    run(() -> users.put(userId, user));
    recent.put(slot.key, userId, user);
  }

  /** Sets held on the heap. */
  int setsKept() {
    return slots.size();
  }

  void retire(SetState retired) {
    putSet(retired);
    users.clear();
    recent.dropSet(slot.key);
  }

  private interface StateCall<T> {
    T call() throws Exception;
  }

  private interface StateRun {
    void run() throws Exception;
  }

  private static <T> T call(StateCall<T> c) {
    try {
      return c.call();
    } catch (Exception e) {
      throw new IllegalStateException("state access failed", e);
    }
  }

  private static void run(StateRun r) {
    try {
      r.run();
    } catch (Exception e) {
      throw new IllegalStateException("state access failed", e);
    }
  }
}
