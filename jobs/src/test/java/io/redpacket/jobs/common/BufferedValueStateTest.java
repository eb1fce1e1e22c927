package io.redpacket.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.junit.jupiter.api.Test;

/** The heap in front of a keyed value state, against a keyed state and key context of plain maps. */
class BufferedValueStateTest {
  /** A keyed value state and the key it is at, as an operator's are. */
  static final class Keyed implements ValueState<String>, KeyContext {
    final Map<Object, String> stored = new HashMap<>();
    Object key;
    int writes;

    @Override
    public void setCurrentKey(Object key) {
      this.key = key;
    }

    @Override
    public Object getCurrentKey() {
      return key;
    }

    @Override
    public String value() {
      return stored.get(key);
    }

    @Override
    public void update(String value) {
      stored.put(key, value);
      writes++;
    }

    @Override
    public void clear() {
      stored.remove(key);
      writes++;
    }
  }

  final Keyed keyed = new Keyed();

  BufferedValueState<String> buffered(long maxWeight) {
    BufferedValueState<String> b = new BufferedValueState<>(keyed, String::length, maxWeight);
    b.bufferWith(keyed);
    return b;
  }

  @Test
  void writesWaitOnTheHeapAreReadBackFromItAndReachTheStateOnceAtTheFlush() throws Exception {
    BufferedValueState<String> b = buffered(1_000);
    keyed.setCurrentKey("k1");
    b.update("a");
    b.update("ab");
    keyed.setCurrentKey("k2");
    keyed.stored.put("k2", "old");
    b.clear();
    assertThat(keyed.writes).isZero();
    assertThat(b.value()).as("cleared on the heap").isNull();
    keyed.setCurrentKey("k1");
    assertThat(b.value()).isEqualTo("ab");
    b.flush();
    assertThat(keyed.stored).containsExactly(Map.entry("k1", "ab"));
    assertThat(keyed.writes).isEqualTo(2);
    keyed.setCurrentKey("k1");
    assertThat(b.value()).as("read from the state once written").isEqualTo("ab");
  }

  @Test
  void aWritePastTheBoundWritesAllOutAndLeavesTheWritersKeyCurrent() throws Exception {
    BufferedValueState<String> b = buffered(4);
    keyed.setCurrentKey("k2");
    b.update("x");
    keyed.setCurrentKey("k3");
    b.update("y");
    keyed.setCurrentKey("k1");
    b.update("ab");
    assertThat(keyed.writes).as("weighs 4: still waiting").isZero();
    b.update("abc"); // k1 rewritten: weighs 5
    assertThat(keyed.stored).containsOnly(Map.entry("k1", "abc"), Map.entry("k2", "x"), Map.entry("k3", "y"));
    assertThat(keyed.getCurrentKey()).as("written out key by key, then back to the writer's").isEqualTo("k1");
    keyed.setCurrentKey("k2");
    b.update("xyz"); // the heap starts empty again: weighs 3
    assertThat(keyed.stored.get("k2")).isEqualTo("x");
  }

  @Test
  void unboundItWritesThrough() throws Exception {
    BufferedValueState<String> b = new BufferedValueState<>(keyed, String::length, 10);
    keyed.setCurrentKey("k1");
    b.update("a");
    assertThat(keyed.stored).containsEntry("k1", "a");
    b.clear();
    assertThat(keyed.stored).isEmpty();
    assertThatThrownBy(() -> new BufferedValueState<>(keyed, String::length, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
  }
}
