package io.redpacket.jobs.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A keyed value state whose writes wait on the heap until the next checkpoint: a key changed many times between two
 * checkpoints (a share and its claims) is written to RocksDB, and to the changelog, once, and read back from the heap
 * until then. A value read from the heap is the object written: change one in place only to write it again. Until
 * {@link #bufferWith} it writes through, like the state it wraps. The heap is bounded by the summed weight of its
 * values (a cleared key weighs 1); a write past the bound writes them all out at once.
 */
public final class BufferedValueState<V> implements ValueState<V> {
  private final ValueState<V> state;
  private final ToIntFunction<V> weight;
  private final long maxWeight;
  /** The values written since the last flush, by key; a null value is a cleared key. */
  private final Map<Object, V> written = new HashMap<>();
  private long weighs;
  private KeyContext keys;

  /**
   * @param weight what a value weighs against {@code maxWeight}, at least 1 (say its size in some unit)
   */
  public BufferedValueState(ValueState<V> state, ToIntFunction<V> weight, long maxWeight) {
    if (maxWeight < 1) {
      throw new IllegalArgumentException("maxWeight must be at least 1, was " + maxWeight);
    }
    this.state = state;
    this.weight = weight;
    this.maxWeight = maxWeight;
  }

  /** From now on writes wait on the heap until {@link #flush()}; {@code keys} switches keys for writing out. */
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
    write(value);
  }

  @Override
  public void clear() {
    try {
      write(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
    boolean had = written.containsKey(key);
    V before = written.put(key, value);
    weighs += weigh(value) - (had ? weigh(before) : 0);
    if (weighs > maxWeight) {
      flush();
      keys.setCurrentKey(key); // the caller goes on with its own key
    }
  }

  private long weigh(V value) {
    return value == null ? 1 : Math.max(1, weight.applyAsInt(value));
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
    weighs = 0;
  }
}
