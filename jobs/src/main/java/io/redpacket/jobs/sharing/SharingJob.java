package io.redpacket.jobs.sharing;

import io.redpacket.avro.GrantState;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.InputRules;
import io.redpacket.jobs.common.JobArgs;
import io.redpacket.jobs.common.JobMain;
import io.redpacket.jobs.common.KafkaArgs;
import io.redpacket.jobs.common.Outputs;
import io.redpacket.jobs.common.RawRecord;
import io.redpacket.jobs.common.Route;
import io.redpacket.jobs.common.Routed;
import io.redpacket.jobs.common.Routes;
import io.redpacket.jobs.common.Topology;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The sharing job: grant states (from settlement), share requests and claims in; share grants
 * (the money each share moves, booked by the settlement job), share states and answers out.
 *
 * <pre>
 * grant-states -> decode-grant-states -> with-share-allowance -> keyBy(grantId) --+
 * shares       -> decode-shares --+                                                +-> share -> share-grants
 * share-claims -> decode-claims ---+-> keyBy(shareId) -----------------------------+     |-> share-states
 *                                                                                        +-> share-results
 *           (undecodable or invalid records -> dead-letters)
 * </pre>
 */
public final class SharingJob {
  public static final String NAME = "redpacket-sharing";

  private SharingJob() {}

  /** The topology; sources and sinks come from the caller. {@code beforeSharing} lets tests inject faults. */
  public static void define(StreamExecutionEnvironment env, Source<RawRecord, ?, ?> grantStateSource,
      Source<RawRecord, ?, ?> shareSource, Source<RawRecord, ?, ?> claimSource, Outputs outputs, SharingSettings settings,
      UnaryOperator<DataStream<ShareRequest>> beforeSharing) {
    Topology topology = new Topology(env, "sharing");
    SingleOutputStreamOperator<GrantState> states =
        topology.decoded(grantStateSource, "grant-states", Codecs.GRANT_STATE, InputRules::grantState, Topology.noEventTime());
    // Event time is the requests': a share is refunded once the requests read have passed its expiry and the
    // claim grace (Topology.requestTime), never by the wall clock alone.
    SingleOutputStreamOperator<ShareRequest> shares = topology.decoded(shareSource, "shares", Codecs.SHARE_REQUEST,
        InputRules::share, ShareRequest::getTimestamp, Topology.requestTime());
    SingleOutputStreamOperator<ShareRequest> claims = topology.decoded(claimSource, "claims", Codecs.SHARE_REQUEST,
        InputRules::claim, ShareRequest::getTimestamp, Topology.requestTime());

    // Only grants that can be shared take state here.
    DataStream<GrantState> shareable = states.filter(s -> s.getShareCents() > 0 && s.getSharePieces() > 0)
        .name("with-share-allowance").uid("with-share-allowance");
    // All of share's topics through one producer, in one transaction per checkpoint (Routed).
    Routed.process(shareable.keyBy(GrantState::getGrantId, TypeInformation.of(String.class))
        .connect(beforeSharing.apply(shares.union(claims)).keyBy(ShareRequest::getShareId, TypeInformation.of(String.class))),
        new ShareFunction(settings), routes(outputs), "share", outputs.sink("share"));
    topology.writeDeadLetters(outputs.deadLetters());
  }

  /**
   * Where {@code share}'s outputs go. Share states are a latest-value topic read committed by all (the ingest, the
   * audit): a checkpoint's last state per share is all anyone sees.
   */
  public static Routes routes(Outputs outputs) {
    return Routes.main(Route.of(outputs.topic(Topics.SHARE_GRANTS), Codecs.SHARE_GRANT, ShareGrant::getShareId))
        .and(ShareFunction.STATES, Route.latest(outputs.topic(Topics.SHARE_STATES), Codecs.SHARE_STATE,
            ShareState::getShareId))
        .and(ShareFunction.RESULTS, Route.of(outputs.topic(Topics.SHARE_RESULTS), Codecs.SHARE_RESULT,
            ShareResult::getRequestId));
  }

  /** The real Kafka sinks; transactional id prefixes unique to this job, topic prefix and task. */
  public static Outputs kafkaSinks(String bootstrap, String topicPrefix, String transactionalIdPrefix) {
    return new Outputs(bootstrap, topicPrefix, transactionalIdPrefix);
  }

  public static final Map<String, String> FLAGS = JobMain.flags(NAME,
      "expiry-seconds", "a share is open for claims this long; the rest is then refunded (default: 86400, i.e. 24 h)",
      "request-wait-seconds", "how long a share waits to see its grant opened, and a claim its share (default: 300)",
      "retention-seconds", "keep a share this long after its expiry to answer repeated claims (default: 86400)",
      "claim-grace-seconds", "a claim stamped before the expiry that arrives this long after it still counts;"
          + " the refund waits for it (default: 60)");

  public static void main(String[] argv) throws Exception {
    JobMain.run(NAME, argv, FLAGS, SharingJob::settings, SharingJob::build);
  }

  static SharingSettings settings(JobArgs args) {
    return new SharingSettings(Duration.ofSeconds(args.positiveLong("expiry-seconds", 86_400, 31_536_000)),
        Duration.ofSeconds(args.positiveLong("request-wait-seconds", 300, 86_400)),
        Duration.ofSeconds(args.positiveLong("retention-seconds", 86_400, 31_536_000)),
        Duration.ofSeconds(args.positiveLong("claim-grace-seconds", 60, 86_400)));
  }

  /** Builds the job with real Kafka sources and sinks from its arguments. */
  public static void build(StreamExecutionEnvironment env, JobArgs args) {
    KafkaArgs kafka = KafkaArgs.of(args, NAME);
    define(env, kafka.source(Topics.GRANT_STATES, "-grant-states"), kafka.source(Topics.SHARES, "-shares"),
        kafka.source(Topics.SHARE_CLAIMS, "-claims"),
        kafkaSinks(kafka.bootstrap(), kafka.topicPrefix(), kafka.transactionalIdPrefix()), settings(args),
        UnaryOperator.identity());
  }
}
