package io.redpacket.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.Wallet;
import io.redpacket.codec.Codecs;
import io.redpacket.jobs.allocation.AllocationJob;
import io.redpacket.jobs.settlement.SettlementJob;
import io.redpacket.jobs.sharing.SharingJob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * An operator's outputs routed to one sink: every route's records encoded for their topic on one stream, a
 * latest-value route's only as each key's last value of a checkpoint, before its barrier, and none lost; unrouted
 * side outputs unchanged. And in the jobs: one exactly-once sink per task that writes, in that task.
 */
class RoutedTest {
  static final OutputTag<Wallet> LATEST = new OutputTag<>("latest", TypeInformation.of(Wallet.class));
  static final OutputTag<Wallet> ON = new OutputTag<>("on", TypeInformation.of(Wallet.class));

  /** Every wallet to "every" at once, to "last" as a latest value, and on as an unrouted side output. */
  static final class Fan extends KeyedProcessFunction<String, Wallet, Wallet> {
    @Override
    public void processElement(Wallet w, Context ctx, Collector<Wallet> out) {
      out.collect(w);
      ctx.output(LATEST, w);
      ctx.output(ON, w);
    }
  }

  static KeyedOneInputStreamOperatorTestHarness<String, Wallet, Encoded> harness(int maxKeys) throws Exception {
    Routes routes = Routes.main(Route.of("every", Codecs.WALLET, Wallet::getUserId))
        .and(LATEST, Route.latest("last", Codecs.WALLET, Wallet::getUserId));
    var h = new KeyedOneInputStreamOperatorTestHarness<>(Routed.operator(new Fan(), routes, maxKeys),
        w -> w.getUserId().toString(), Types.STRING);
    h.open();
    return h;
  }

  static Wallet wallet(String user, long cents) {
    return new Wallet(user, cents, 1L, "e", 0L);
  }

  /** "topic:key=cents@timestamp" of each encoded record, decoded. */
  static List<String> written(KeyedOneInputStreamOperatorTestHarness<String, Wallet, Encoded> h, String topic) {
    List<String> out = new ArrayList<>();
    for (StreamRecord<? extends Encoded> r : h.extractOutputStreamRecords()) {
      Encoded e = r.getValue();
      if (e.topic.equals(topic)) {
        Wallet w = Codecs.WALLET.decode(e.value);
        assertThat(new String(e.key, StandardCharsets.UTF_8)).isEqualTo(w.getUserId().toString());
        out.add(w.getUserId() + "=" + w.getBalanceCents() + stamp(r));
      }
    }
    return out;
  }

  /** A record's time stamp as written; Flink stamps a side output of an unstamped input Long.MIN_VALUE: none. */
  static String stamp(StreamRecord<?> r) {
    return r.hasTimestamp() && r.getTimestamp() != Long.MIN_VALUE ? "@" + r.getTimestamp() : "";
  }

  @Test
  void everyValueGoesOutAtOnceEncodedForItsTopicWithItsKeyAndTimestamp() throws Exception {
    try (var h = harness(100)) {
      h.processElement(wallet("a", 1), 10);
      h.processElement(wallet("a", 2), 11);
      h.processElement(new StreamRecord<>(wallet("b", 1)));
      assertThat(written(h, "every")).containsExactly("a=1@10", "a=2@11", "b=1");
      assertThat(h.getSideOutput(ON)).extracting(r -> r.getValue().getUserId() + "=" + r.getValue().getBalanceCents() + stamp(r))
          .as("an unrouted side output is passed on unchanged").containsExactly("a=1@10", "a=2@11", "b=1");
    }
  }

  @Test
  void eachKeysLastValueOfACheckpointGoesOutBeforeItsBarrierWithItsTimestampOnce() throws Exception {
    try (var h = harness(100)) {
      h.processElement(wallet("a", 1), 10);
      h.processElement(wallet("b", 1), 11);
      h.processElement(wallet("a", 2), 12);
      h.processWatermark(new Watermark(12));
      assertThat(written(h, "last")).as("nothing before the checkpoint").isEmpty();
      h.prepareSnapshotPreBarrier(1);
      assertThat(written(h, "last")).as("in the order the keys first changed").containsExactly("a=2@12", "b=1@11");
      h.getOutput().clear();
      h.processElement(wallet("a", 3), 13);
      h.prepareSnapshotPreBarrier(2);
      h.prepareSnapshotPreBarrier(3);
      assertThat(written(h, "last")).as("the next checkpoint's, once").containsExactly("a=3@13");
    }
  }

  @Test
  void whatWaitsWhenTheOperatorFinishesGoesOut() throws Exception {
    try (var h = harness(100)) {
      h.processElement(wallet("a", 1), 1);
      h.processElement(wallet("a", 2), 2);
      h.getOperator().finish();
      assertThat(written(h, "last")).containsExactly("a=2@2");
    }
  }

  @Test
  void pastItsBoundEverythingWaitingGoesOutAtOnceAndNothingIsLost() throws Exception {
    try (var h = harness(2)) {
      for (String v : List.of("a=1", "b=1", "a=2", "c=1", "d=1", "d=2")) {
        String[] kv = v.split("=");
        h.processElement(new StreamRecord<>(wallet(kv[0], Long.parseLong(kv[1]))));
      }
      assertThat(written(h, "last")).as("a third key passes the bound of 2").containsExactly("a=2", "b=1", "c=1");
      h.prepareSnapshotPreBarrier(1);
      assertThat(written(h, "last")).containsExactly("a=2", "b=1", "c=1", "d=2");
    }
  }

  /** The names of a job's tasks: its chained operators' names, joined. */
  static List<String> tasks(Map<String, String> flags, BiConsumer<StreamExecutionEnvironment, JobArgs> build) {
    StreamExecutionEnvironment env = BuiltJob.on(new Configuration(), flags, build);
    List<String> tasks = new ArrayList<>();
    env.getStreamGraph().getJobGraph().getVertices().forEach(v -> tasks.add(v.getName()));
    return tasks;
  }

  /** The sinks in a task's name, other than the dead letters' (the inputs' dead letters, at-least-once). */
  static List<String> sinks(String task) {
    java.util.Set<String> sinks = new java.util.LinkedHashSet<>(); // its writer and its committer
    Matcher m = Pattern.compile("([\\w-]+)-sink").matcher(task);
    while (m.find()) {
      if (!m.group(1).equals("dead-letters")) {
        sinks.add(m.group(1));
      }
    }
    return new ArrayList<>(sinks);
  }

  @Test
  void eachTaskThatWritesHasOneSinkForAllItsTopicsChainedInIt() {
    for (var job : Map.of(
        "allocation", Map.entry(tasks(AllocationJob.FLAGS, AllocationJob::build), List.of("allocate")),
        "sharing", Map.entry(tasks(SharingJob.FLAGS, SharingJob::build), List.of("share")),
        "settlement", Map.entry(tasks(SettlementJob.FLAGS, SettlementJob::build),
            List.of(SettlementJob.SETTLE_UID, "book-share-grants", "wallet"))).entrySet()) {
      List<String> writers = new ArrayList<>();
      for (String task : job.getValue().getKey()) {
        List<String> sinks = sinks(task);
        assertThat(sinks).as(job.getKey() + ": " + task).hasSizeLessThanOrEqualTo(1);
        sinks.forEach(s -> assertThat(task).as("the sink is in the task of the operator it writes for").contains(s + " "));
        writers.addAll(sinks);
      }
      assertThat(writers).as(job.getKey()).containsExactlyInAnyOrderElementsOf(job.getValue().getValue());
    }
  }
}
