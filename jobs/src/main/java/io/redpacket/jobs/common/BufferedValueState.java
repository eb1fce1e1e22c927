package io.redpacket.jobs.common;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A keyed value state whose writes wait on the heap until the next checkpoint: a key changed many times between two
 * checkpoints (a share and its claims) is read from the heap and written to RocksDB, and to the changelog, once. A
 * value read from the heap is the object written: change one in place only to write it again. Until {@link #bufferWith} it writes through,
 * like the state it wraps. At most {@code maxKeys} keys wait; one more writes them all out at once.
 */
public final class BufferedValueState<V> implements ValueState<V> {
  private final ValueState<V> state;
  private final int maxKeys;
  /** The values written since the last flush, by key; a null value is a cleared key. */
  private final Map<Object, V> written = new HashMap<>();
  private KeyContext keys;

  public BufferedValueState(ValueState<V> state, int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1, was " + maxKeys);
    }
    this.state = state;
    this.maxKeys = maxKeys;
  }

  /** From now on writes wait on the heap until {@link #flush()}; {@code keys} is the operator's key context. */
  public void bufferWith(KeyContext keys) {
    this.keys = keys;
  }

  @Override
  public V value() throws IOException {
    if (keys != null) {
      Object key = keys.getCurrentKey();
      V v = written.get(key);
      if (v != null || written.containsKey(key)) {
        return v;
      }
    }
    return state.value();
  }

  @Override
  public void update(V value) throws IOException {
    if (value == null) {
      clear();
      return;
    }
    write(value);
  }

  @Override
  public void clear() {
    try {
      write(null);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void write(V value) throws IOException {
    if (keys == null) {
      if (value == null) {
        state.clear();
      } else {
        state.update(value);
      }
      return;
    }
    Object key = keys.getCurrentKey();
    written.put(key, value);
    if (written.size() > maxKeys) {
      flush();
      keys.setCurrentKey(key);
    }
  }

  /** Writes every waiting value to the state, each as its key; the current key is left changed. */
  public void flush() throws IOException {
    if (written.isEmpty()) {
      return;
    }
    for (Map.Entry<Object, V> e : written.entrySet()) {
      keys.setCurrentKey(e.getKey());
      if (e.getValue() == null) {
        state.clear();
      } else {
        state.update(e.getValue());
      }
    }
    written.clear();
  }

  /** How many keys have writes waiting on the heap. */
  public int waiting() {
    return written.size();
  }
}
