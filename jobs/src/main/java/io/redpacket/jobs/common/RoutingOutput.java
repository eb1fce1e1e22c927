package io.redpacket.jobs.common;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * The output an operator of {@link Routed} writes to: its main output and each routed side output become
 * {@link Encoded} records on one stream, which the task's one sink writes, all topics in one transaction per
 * checkpoint. Unrouted side outputs pass through unchanged.
 *
 * <p>Latest-value routes: for each topic and key only the last value given since the last checkpoint is encoded
 * and passed on, by {@link #flush()}, which the operator calls just before each checkpoint's barrier and when it
 * finishes. Their readers read committed, so they see a checkpoint's records all at once and keep the last per key;
 * the values in between were never visible to anyone. Nothing is kept in state: after a failure the input is
 * replayed from the last checkpoint and gives the same last values again. Bounded: past {@code maxKeys} keys
 * waiting, everything waiting is passed on at once (more records, never a lost one).
 */
public final class RoutingOutput implements Output<StreamRecord<Object>> {
  private final Output<StreamRecord<Encoded>> out;
  private final Routes routes;
  private final int maxKeys;
  private final StreamRecord<Encoded> reuse = new StreamRecord<>(null);
  private final Map<String, Waiting> waiting = new LinkedHashMap<>();
  private Counter superseded = new SimpleCounter();

  /** A latest value waiting for the checkpoint, not yet encoded. */
  private record Waiting(Route route, String key, Object value, boolean hasTimestamp, long timestamp) {}

  public RoutingOutput(Output<StreamRecord<Encoded>> out, Routes routes, int maxKeys) {
    this.out = out;
    this.routes = routes;
    this.maxKeys = maxKeys;
  }

  /** Counts the latest values dropped because a newer one of the same key came before the checkpoint. */
  void countSupersededIn(Counter counter) {
    this.superseded = counter;
  }

  @Override
  public void collect(StreamRecord<Object> record) {
    route(routes.main, record);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {
    Route route = routes.side.get(tag.getId());
    if (route == null) {
      out.collect(tag, record);
    } else {
      route(route, (StreamRecord) record);
    }
  }

  private void route(Route route, StreamRecord<?> record) {
    Object value = record.getValue();
    if (!route.latest) {
      emit(route.encode(value), record.hasTimestamp(), record.getTimestamp());
      return;
    }
    // The topic is part of the key: one operator may write two latest-value topics (grant states and wallets).
    String key = route.key(value);
    Waiting w = new Waiting(route, key, value, record.hasTimestamp(), record.getTimestamp());
    if (waiting.put(route.topic + '\u0000' + key, w) != null) {
      superseded.inc();
    } else if (waiting.size() > maxKeys) {
      flush();
    }
  }

  private void emit(Encoded e, boolean hasTimestamp, long timestamp) {
    if (hasTimestamp) {
      reuse.replace(e, timestamp);
    } else {
      reuse.replace(e);
      reuse.eraseTimestamp();
    }
    out.collect(reuse);
  }

  /** Passes on every waiting latest value, in the order their keys first changed. */
  public void flush() {
    for (Waiting w : waiting.values()) {
      emit(w.route().encode(w.value(), w.key()), w.hasTimestamp(), w.timestamp());
    }
    waiting.clear();
  }

  @Override
  public void emitWatermark(Watermark mark) {
    out.emitWatermark(mark);
  }

  @Override
  public void emitWatermarkStatus(WatermarkStatus status) {
    out.emitWatermarkStatus(status);
  }

  @Override
  public void emitLatencyMarker(LatencyMarker marker) {
    out.emitLatencyMarker(marker);
  }

  @Override
  public void emitRecordAttributes(RecordAttributes attributes) {
    out.emitRecordAttributes(attributes);
  }

  @Override
  public void emitWatermark(WatermarkEvent event) {
    out.emitWatermark(event);
  }

  @Override
  public void close() {
    out.close();
  }
}
