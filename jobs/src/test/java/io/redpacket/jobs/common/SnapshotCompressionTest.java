package io.redpacket.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.jobs.audit.AuditJob;
import io.redpacket.jobs.settlement.SettlementJob;
import io.redpacket.jobs.sharing.SharingJob;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * Every job writes its snapshots compressed, whatever the cluster's configuration: Flink restores operator
 * state without compression one byte per read call, and allocate's filter of known users (a megabyte per
 * subtask to restore) then held the job in INITIALIZING for half a minute after a TaskManager was lost.
 */
class SnapshotCompressionTest {
  static boolean compressed(Map<String, String> flags, BiConsumer<StreamExecutionEnvironment, JobArgs> build) {
    Configuration cluster = new Configuration();
    cluster.setString("execution.checkpointing.snapshot-compression", "false");
    return BuiltJob.on(cluster, flags, build).getConfig().isUseSnapshotCompression();
  }

  @Test
  void everyJobCompressesItsSnapshotsEvenWhereTheClusterDoesNot() {
    assertThat(compressed(AllocationJob.FLAGS, AllocationJob::build)).as("allocation").isTrue();
    assertThat(compressed(SettlementJob.FLAGS, SettlementJob::build)).as("settlement").isTrue();
    assertThat(compressed(SharingJob.FLAGS, SharingJob::build)).as("sharing").isTrue();
    assertThat(compressed(AuditJob.FLAGS, AuditJob::build)).as("audit").isTrue();
  }
}
