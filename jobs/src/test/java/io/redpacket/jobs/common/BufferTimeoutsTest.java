package io.redpacket.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.jobs.audit.AuditJob;
import io.redpacket.jobs.settlement.SettlementJob;
import io.redpacket.jobs.sharing.SharingJob;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * Only what a user waits on is flushed every few milliseconds: each task's buffers are flushed by a thread of its
 * own, woken every buffer timeout, and on a small machine those wake-ups take the cores the ingest needs.
 */
class BufferTimeoutsTest {
  static final long CONFIGURED = 100;

  /** Each operator's output buffer timeout, by name, as the job is built where the cluster's default is 100 ms. */
  static Map<String, Long> timeouts(Map<String, String> flags, BiConsumer<StreamExecutionEnvironment, JobArgs> build) {
    Configuration conf = new Configuration();
    conf.setString("execution.buffer-timeout.interval", CONFIGURED + " ms");
    StreamExecutionEnvironment env = BuiltJob.on(conf, flags, build);
    Map<String, Long> out = new TreeMap<>();
    for (StreamNode n : env.getStreamGraph().getStreamNodes()) {
      out.put(n.getOperatorName(), n.getBufferTimeout());
    }
    return out;
  }

  @Test
  void aShakesWayToItsOutcomeIsFlushedPromptlyAndNothingElseIs() {
    Map<String, Long> allocation = timeouts(AllocationJob.FLAGS, AllocationJob::build);
    assertThat(allocation).containsEntry("decode-shakes", Topology.AWAITED_BUFFER_TIMEOUT_MS);
    assertThat(allocation).as("every edge but the shakes' keeps the cluster's default")
        .allSatisfy((name, timeout) -> {
          if (!name.equals("decode-shakes")) {
            assertThat(timeout).as(name).isEqualTo(CONFIGURED);
          }
        });
  }

  @Test
  void theJobsWhoseOutputCountsOnlyWhenCommittedKeepTheDefaultEverywhere() {
    for (var job : Map.<String, Map<String, Long>>of(
        "settlement", timeouts(SettlementJob.FLAGS, SettlementJob::build),
        "sharing", timeouts(SharingJob.FLAGS, SharingJob::build),
        "audit", timeouts(AuditJob.FLAGS, AuditJob::build)).entrySet()) {
      assertThat(job.getValue()).as(job.getKey()).isNotEmpty()
          .allSatisfy((name, timeout) -> assertThat(timeout).as(job.getKey() + ": " + name).isEqualTo(CONFIGURED));
    }
  }
}
