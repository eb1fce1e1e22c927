package io.redpacket.jobs.common;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A keyed list state whose changes wait on the heap until the next checkpoint, as {@link BufferedValueState} does
 * for a value: a list filled and emptied between two checkpoints (an open that waits a moment for its grant) never
 * reaches RocksDB, and one that outlives a checkpoint is written once. The lists written out stay on the heap too
 * (as the state holds them), so the read that ends a wait (its grant came) is not RocksDB's either: such lists are
 * short-lived, and all are emptied in the end. Until {@link #bufferWith} it writes through. At most {@code maxKeys}
 * keys wait on the heap, and as many lists are kept; a change past that writes them all out at once, and a list
 * kept past it is let go (the state still has it).
 */
public final class BufferedListState<T> {
  private final ListState<T> state;
  private final int maxKeys;
  /** The changes since the last flush, by key. */
  private final Map<Object, Pending<T>> pending = new HashMap<>();
  /** Lists as the state holds them, by key, the oldest written first. */
  private final LinkedHashMap<Object, List<T>> kept;
  private KeyContext keys;

  private static final class Pending<T> {
    /** Whether the list is {@code items} alone: what the state holds for the key is replaced at the flush. */
    boolean replaces;
    /** Whether the state is known to hold nothing for the key: replaced by nothing, it is not written at all. */
    boolean stateEmpty;
    final List<T> items = new ArrayList<>();
  }

  public BufferedListState(ListState<T> state, int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1, was " + maxKeys);
    }
    this.state = state;
    this.maxKeys = maxKeys;
    this.kept = new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Object, List<T>> eldest) {
        return size() > maxKeys;
      }
    };
  }

  /** From now on changes wait on the heap until {@link #flush()}; {@code keys} switches keys for writing out. */
  public void bufferWith(KeyContext keys) {
    this.keys = keys;
  }

  /** The current key's list: the state's, then what was added since, or only that once it was cleared. */
  public List<T> get() throws Exception {
    Object key = keys == null ? null : keys.getCurrentKey();
    Pending<T> p = key == null ? null : pending.get(key);
    List<T> all = new ArrayList<>();
    if (p == null || !p.replaces) {
      List<T> known = key == null ? null : kept.get(key);
      Iterable<T> stored = known != null ? known : state.get();
      if (stored != null) {
        stored.forEach(all::add);
      }
    }
    if (p != null) {
      all.addAll(p.items);
    }
    return all;
  }

  public void add(T value) throws Exception {
    if (keys == null) {
      state.add(value);
      return;
    }
    pendingForKey().items.add(value);
    bound();
  }

  /**
   * Starts the current key's list with {@code value}, the caller knowing the list empty (as read through this state,
   * or because nothing was ever added for the key): the state is then neither read nor cleared for it.
   */
  public void addToEmpty(T value) throws Exception {
    if (keys == null) {
      state.add(value);
      return;
    }
    Object key = keys.getCurrentKey();
    Pending<T> p = pending.get(key);
    if (p == null) {
      p = new Pending<>();
      p.stateEmpty = !kept.containsKey(key);
      pending.put(key, p);
    }
    p.replaces = true;
    p.items.clear();
    p.items.add(value);
    bound();
  }

  /** Replaces the current key's list with {@code values}; an empty list clears it. */
  public void update(List<T> values) throws Exception {
    if (keys == null) {
      state.update(values);
      return;
    }
    Pending<T> p = pendingForKey();
    p.replaces = true;
    p.items.clear();
    p.items.addAll(values);
    bound();
  }

  public void clear() {
    if (keys == null) {
      state.clear();
      return;
    }
    Pending<T> p = pendingForKey();
    p.replaces = true;
    p.items.clear();
  }

  private Pending<T> pendingForKey() {
    return pending.computeIfAbsent(keys.getCurrentKey(), k -> new Pending<>());
  }

  private void bound() throws Exception {
    if (pending.size() > maxKeys) {
      Object key = keys.getCurrentKey();
      flush();
      keys.setCurrentKey(key); // the caller goes on with its own key
    }
  }

  /** Writes every waiting change to the state, each as its key; the current key is left changed. */
  public void flush() throws Exception {
    for (Map.Entry<Object, Pending<T>> e : pending.entrySet()) {
      Pending<T> p = e.getValue();
      if (p.replaces && p.stateEmpty && p.items.isEmpty()) {
        continue; // filled and emptied on the heap: the state never held it
      }
      keys.setCurrentKey(e.getKey());
      List<T> before = kept.remove(e.getKey());
      if (p.replaces) {
        state.update(p.items); // an empty list clears the key
        if (!p.items.isEmpty()) {
          kept.put(e.getKey(), p.items);
        }
      } else {
        state.addAll(p.items);
        if (before != null) { // else the state's whole list is not known here
          before.addAll(p.items);
          kept.put(e.getKey(), before);
        }
      }
    }
    pending.clear();
  }
}
