package io.redpacket.jobs.common;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Passes records through and notes, per run and subtask, the last watermark and watermark status that
 * reached it, so that a test waiting for event-time decisions (refunds) can say, when they do not come,
 * how far event time got. The notes are static, as the operator runs on the MiniCluster's task managers.
 */
public final class WatermarkProbe<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {
  private static final long serialVersionUID = 1L;
  private static final Map<String, String> WATERMARKS = new ConcurrentHashMap<>();
  private static final Map<String, WatermarkStatus> STATUSES = new ConcurrentHashMap<>();
  private final String run;

  public WatermarkProbe(String run) {
    this.run = run;
  }

  @Override
  public void processElement(StreamRecord<T> element) {
    output.collect(element);
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    WATERMARKS.put(key(), "watermark " + mark.getTimestamp() + " at " + System.currentTimeMillis());
    super.processWatermark(mark);
  }

  @Override
  public void processWatermarkStatus(WatermarkStatus status) throws Exception {
    STATUSES.put(key(), status);
    super.processWatermarkStatus(status);
  }

  private String key() {
    return run + "/" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
  }

  /** What reached the probes of a run, by subtask. */
  public static Map<String, String> seen(String run) {
    Map<String, String> out = new TreeMap<>();
    WATERMARKS.forEach((k, v) -> {
      if (k.startsWith(run + "/")) {
        out.put(k, v);
      }
    });
    STATUSES.forEach((k, v) -> {
      if (k.startsWith(run + "/")) {
        out.merge(k, "last status " + v, (a, b) -> a + ", " + b);
      }
    });
    return out;
  }
}
