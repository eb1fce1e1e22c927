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
    int reads;

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
      reads++;
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
    BufferedValueState<String> b = new BufferedValueState<>(keyed, String::length, maxWeight, 0);
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
  void valuesWrittenOutOrReadAreKeptOnTheHeapUpToTheirNumberAndNeverOutliveAChange() throws Exception {
    BufferedValueState<String> b = new BufferedValueState<>(keyed, String::length, 1_000, 2);
    b.bufferWith(keyed);
    keyed.setCurrentKey("k1");
    b.update("a");
    b.flush();
    keyed.setCurrentKey("k1");
    assertThat(b.value()).as("written out, and kept").isEqualTo("a");
    keyed.stored.put("k2", "s2");
    keyed.setCurrentKey("k2");
    assertThat(b.value()).isEqualTo("s2");
    assertThat(b.value()).isEqualTo("s2");
    assertThat(keyed.reads).as("k1 never read, k2 read once").isEqualTo(1);

    keyed.setCurrentKey("k3");
    assertThat(b.value()).as("nothing stored: read each time").isNull();
    assertThat(b.value()).isNull();
    keyed.stored.put("k3", "s3");
    assertThat(b.value()).isEqualTo("s3");
    assertThat(keyed.reads).isEqualTo(4);
    keyed.setCurrentKey("k1");
    assertThat(b.value()).as("three kept, two allowed: the least recently used, k1, went").isEqualTo("a");
    assertThat(keyed.reads).isEqualTo(5);

    keyed.setCurrentKey("k2");
    b.update("s2'");
    assertThat(b.value()).isEqualTo("s2'");
    b.clear();
    assertThat(b.value()).as("cleared on the heap, not the kept value").isNull();
    b.flush();
    keyed.setCurrentKey("k2");
    assertThat(b.value()).as("cleared in the state, not the kept value").isNull();
    assertThat(keyed.stored).doesNotContainKey("k2");
    assertThatThrownBy(() -> new BufferedValueState<>(keyed, String::length, 10, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 0");
  }

  @Test
  void unboundItWritesThrough() throws Exception {
    BufferedValueState<String> b = new BufferedValueState<>(keyed, String::length, 10, 0);
    keyed.setCurrentKey("k1");
    b.update("a");
    assertThat(keyed.stored).containsEntry("k1", "a");
    b.clear();
    assertThat(keyed.stored).isEmpty();
    assertThatThrownBy(() -> new BufferedValueState<>(keyed, String::length, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
  }
}
