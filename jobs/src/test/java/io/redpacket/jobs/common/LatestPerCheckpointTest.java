package io.redpacket.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.jobs.settlement.SettlementJob;
import io.redpacket.jobs.sharing.SharingJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** A latest-value output passes on each key's last value of a checkpoint, before its barrier, and loses none. */
class LatestPerCheckpointTest {
  static OneInputStreamOperatorTestHarness<String, String> harness(int maxKeys) throws Exception {
    // Values "key=version": the key is before the '='.
    var h = new OneInputStreamOperatorTestHarness<>(new LatestPerCheckpoint<String>(v -> v.split("=")[0], maxKeys));
    h.open();
    return h;
  }

  @Test
  void eachKeysLastValueOfACheckpointGoesOutBeforeItsBarrierWithItsTimestamp() throws Exception {
    try (var h = harness(100)) {
      h.processElement("a=1", 10);
      h.processElement("b=1", 11);
      h.processElement("a=2", 12);
      h.processWatermark(new Watermark(12));
      assertThat(h.extractOutputValues()).as("nothing before the checkpoint").isEmpty();
      h.prepareSnapshotPreBarrier(1);
      assertThat(h.extractOutputStreamRecords()).extracting(r -> r.getValue() + "@" + r.getTimestamp())
          .as("in the order the keys first changed").containsExactly("a=2@12", "b=1@11");
      h.getOutput().clear();
      h.processElement("a=3", 13);
      h.prepareSnapshotPreBarrier(2);
      h.prepareSnapshotPreBarrier(3);
      assertThat(h.extractOutputValues()).as("the next checkpoint's, once").containsExactly("a=3");
    }
  }

  @Test
  void whatWaitsAtTheEndOfTheInputGoesOut() throws Exception {
    try (var h = harness(100)) {
      h.processElement(new StreamRecord<>("a=1"));
      h.processElement(new StreamRecord<>("a=2"));
      h.endInput();
      assertThat(h.extractOutputValues()).containsExactly("a=2");
    }
  }

  @Test
  void pastItsBoundEverythingWaitingGoesOutAtOnceAndNothingIsLost() throws Exception {
    try (var h = harness(2)) {
      for (String v : List.of("a=1", "b=1", "a=2", "c=1", "d=1", "d=2")) {
        h.processElement(new StreamRecord<>(v));
      }
      assertThat(h.extractOutputValues()).as("a third key passes the bound of 2").containsExactly("a=2", "b=1", "c=1");
      h.prepareSnapshotPreBarrier(1);
      assertThat(h.extractOutputValues()).containsExactly("a=2", "b=1", "c=1", "d=2");
    }
  }

  /** The names of a job's tasks: its chained operators' names, joined. */
  static List<String> tasks(Map<String, String> flags, BiConsumer<StreamExecutionEnvironment, JobArgs> build) {
    StreamExecutionEnvironment env = new StreamExecutionEnvironment(new Configuration());
    build.accept(env, new JobArgs(new String[] {"--bootstrap", "127.0.0.1:9"}, flags));
    List<String> tasks = new ArrayList<>();
    env.getStreamGraph().getJobGraph().getVertices().forEach(v -> tasks.add(v.getName()));
    return tasks;
  }

  @Test
  void theLatestValueOutputsPassItInTheTaskThatMakesThemNoTaskMore() {
    assertThat(tasks(SharingJob.FLAGS, SharingJob::build)).as("sharing's tasks")
        .anySatisfy(t -> assertThat(t).contains("share", "latest-share-states", "share-states-sink", "share-grants-sink"));
    assertThat(tasks(SettlementJob.FLAGS, SettlementJob::build)).as("settlement's tasks")
        .anySatisfy(t -> assertThat(t).contains("wallet", "latest-grant-states", "grant-states-sink", "latest-wallets",
            "wallets-sink"));
  }
}
