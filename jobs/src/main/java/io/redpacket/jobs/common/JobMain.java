package io.redpacket.jobs.common;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** What every job's {@code main} does: read its flags, refuse bad ones with a message naming the flag, build, run. */
public final class JobMain {
  private JobMain() {}

  /** The flags every job takes, with the job's name as default group and transactional id prefix. */
  public static Map<String, String> commonFlags(String jobName) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("bootstrap", "Kafka bootstrap servers (required), e.g. 127.0.0.1:9092");
    f.put("topic-prefix", "prefix of every topic name (default: none)");
    f.put("group", "consumer group id (default: " + jobName + ")");
    f.put("transactional-id-prefix", "prefix of the sinks' transactional ids, unique per job (default: " + jobName + ")");
    f.put("checkpoint-interval-ms", "checkpoint interval when the cluster sets none (default: 1000)");
    f.put("bounded", "stop at the offsets that are latest at start (default: false)");
    return f;
  }

  /** The common flags followed by the job's own, given as name, help, name, help... */
  public static Map<String, String> flags(String jobName, String... ownNamesAndHelp) {
    Map<String, String> f = commonFlags(jobName);
    for (int i = 0; i < ownNamesAndHelp.length; i += 2) {
      f.put(ownNamesAndHelp[i], ownNamesAndHelp[i + 1]);
    }
    return f;
  }

  /**
   * @param validate throws IllegalArgumentException for flags the job cannot use
   * @param build the job's topology over real Kafka sources and sinks
   */
  public static void run(String jobName, String[] argv, Map<String, String> flags, Consumer<JobArgs> validate,
      BiConsumer<StreamExecutionEnvironment, JobArgs> build) throws Exception {
    JobArgs args;
    try {
      args = new JobArgs(argv, flags);
      args.required("bootstrap");
      validate.accept(args);
    } catch (IllegalArgumentException e) {
      // Thrown, not System.exit: submitted through the REST API, main runs inside the JobManager, and
      // the message reaches whoever submitted (flink run prints it, the REST API answers it).
      throw new IllegalArgumentException(jobName + ": " + e.getMessage(), e);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
      env.enableCheckpointing(args.positiveLong("checkpoint-interval-ms", 1000, 3_600_000), CheckpointingMode.EXACTLY_ONCE);
    }
    build.accept(env, args);
    env.execute(jobName);
  }
}
