package io.redpacket.jobs.common;

import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** A job's topology built as its main builds it, on {@code cluster}'s configuration, without a broker (nothing runs). */
final class BuiltJob {
  private BuiltJob() {}

  static StreamExecutionEnvironment on(Configuration cluster, Map<String, String> flags,
      BiConsumer<StreamExecutionEnvironment, JobArgs> build) {
    StreamExecutionEnvironment env = new StreamExecutionEnvironment(cluster);
    build.accept(env, new JobArgs(new String[] {"--bootstrap", "127.0.0.1:9"}, flags));
    return env;
  }
}
