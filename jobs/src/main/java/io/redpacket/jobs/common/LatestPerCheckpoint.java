package io.redpacket.jobs.common;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Passes on, for each key, only the last value it was given since the last checkpoint, just before that
 * checkpoint's barrier. For latest-value topics (a share's state, a wallet, a grant's state) written by an
 * exactly-once sink chained behind it: their readers read committed, so they see a checkpoint's records all at
 * once and keep the last per key; the values in between were never visible to anyone. Nothing is kept in state:
 * after a failure the input is replayed from the last checkpoint and gives the same last values again.
 *
 * <p>Bounded: past {@code maxKeys} keys waiting, everything waiting is passed on at once (more records, never a
 * lost one), so a slow checkpoint cannot grow it without end.
 */
public final class LatestPerCheckpoint<T> extends AbstractStreamOperator<T>
    implements OneInputStreamOperator<T, T>, BoundedOneInput {
  private static final long serialVersionUID = 1L;
  private final KeySelector<T, String> key;
  private final int maxKeys;
  private transient Map<String, StreamRecord<T>> waiting;
  private transient Counter superseded;

  public LatestPerCheckpoint(KeySelector<T, String> key, int maxKeys) {
    this.key = key;
    this.maxKeys = maxKeys;
  }

  @Override
  public void open() throws Exception {
    super.open();
    waiting = new LinkedHashMap<>();
    superseded = getMetricGroup().counter("supersededBeforeCheckpoint");
  }

  @Override
  public void processElement(StreamRecord<T> element) throws Exception {
    // A copy of the record: the runtime may reuse the one it handed in.
    StreamRecord<T> copy = element.hasTimestamp()
        ? new StreamRecord<>(element.getValue(), element.getTimestamp())
        : new StreamRecord<>(element.getValue());
    if (waiting.put(key.getKey(element.getValue()), copy) != null) {
      superseded.inc();
    } else if (waiting.size() > maxKeys) {
      passOn();
    }
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    passOn();
  }

  @Override
  public void endInput() {
    passOn();
  }

  @Override
  public void finish() throws Exception {
    passOn();
    super.finish();
  }

  private void passOn() {
    for (StreamRecord<T> r : waiting.values()) {
      output.collect(r);
    }
    waiting.clear();
  }
}
