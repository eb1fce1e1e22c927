package io.redpacket.jobs.common;

import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A keyed function that holds some of its keyed writes on the heap and writes them to its state before each
 * checkpoint's barrier ({@link BufferingCoProcessOperator}), so that the checkpoint holds them. What the heap holds
 * at a failure is lost with it and made again: the sources go back to that checkpoint. Run by an operator that does
 * not call {@link #bufferWith}, such a function writes its state at once, as keyed functions usually do.
 */
public interface HeapBuffered {
  /** Called by the operator once it is open, with its key context: the function switches keys with it to write out. */
  void bufferWith(KeyContext keys);

  /** Writes what the heap holds to keyed state; the current key is left changed. */
  void flushBuffer() throws Exception;
}
