package io.redpacket.jobs.common;

import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;

/**
 * Flink's keyed two-input operator that lets a {@link HeapBuffered} function write its heap to keyed state before
 * each checkpoint's barrier (so the checkpoint holds it) and at the end of its input. For other functions it is
 * Flink's operator unchanged.
 */
public class BufferingCoProcessOperator<K, I1, I2, O> extends KeyedCoProcessOperator<K, I1, I2, O> {
  private static final long serialVersionUID = 1L;

  public BufferingCoProcessOperator(KeyedCoProcessFunction<K, I1, I2, O> function) {
    super(function);
  }

  @Override
  public void open() throws Exception {
    super.open();
    if (userFunction instanceof HeapBuffered buffered) {
      buffered.bufferWith(this);
    }
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    flushBuffer();
  }

  @Override
  public void finish() throws Exception {
    flushBuffer();
    super.finish();
  }

  private void flushBuffer() throws Exception {
    if (userFunction instanceof HeapBuffered buffered) {
      buffered.flushBuffer();
    }
  }
}
