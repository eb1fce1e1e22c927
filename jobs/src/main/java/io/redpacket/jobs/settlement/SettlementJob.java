package io.redpacket.jobs.settlement;

import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenResult;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.Wallet;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.InputRules;
import io.redpacket.core.Settlement;
import io.redpacket.jobs.common.DecodeFunction;
import io.redpacket.jobs.common.Encoded;
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
 * The settlement job: grants, opens and share grants in; the ledger, wallets, grant states and open results out.
 *
 * <pre>
 * grants -> decode-grants -> keyBy(grantId) --+
 * opens  -> decode-opens  -> keyBy(grantId) --+-> settle -> settle-2-sink: ledger, open-results
 *                                                  +-> grant states -> keyBy(userId) --+-> wallet -> wallet-sink: grant-states, wallets
 * share-grants -> decode-share-grants -> keyBy(shareId) -> book-share-grants -> book-share-grants-sink: ledger
 *                                                     +-> pieces -> keyBy(userId) ----+
 *           (undecodable or invalid records -> dead-letters)
 * </pre>
 */
public final class SettlementJob {
  public static final String NAME = "redpacket-settlement";
  /**
   * The uid of the settling operator. Version 2 keeps a grant and its state in one value ({@link SettleFunction#STATE});
   * the operator {@code settle} of earlier versions kept them in two. A savepoint or retained checkpoint of an earlier
   * version therefore holds state for an operator this job no longer has, and Flink refuses to restore it (the jobs
   * are never resumed with {@code allowNonRestoredState}): drain the old job (stop it once every grant it holds is
   * settled past its retention), or settle the grants in flight with the old version, then start this one afresh.
   */
  public static final String SETTLE_UID = "settle-2";
  /** Where RocksDB keeps timers: {@code HEAP} or {@code ROCKSDB} (Flink's default). */
  static final String TIMER_SERVICE = "state.backend.rocksdb.timer-service.factory";

  private SettlementJob() {}

  /** The topology; sources and sinks come from the caller. {@code beforeSettlement} lets tests inject faults. */
  public static void define(StreamExecutionEnvironment env, Source<RawRecord, ?, ?> grantSource,
      Source<RawRecord, ?, ?> openSource, Source<RawRecord, ?, ?> shareGrantSource, Outputs outputs, SettlementSettings settings,
      UnaryOperator<DataStream<Open>> beforeSettlement) {
    Topology topology = new Topology(env, "settlement");
    // Timers on the heap, not in RocksDB: registering one in RocksDB's sorted timer set was 15 % of settle's time.
    // One timer per grant at a time (its refund, then its retention). Only here: this job's state starts afresh
    // with settle-2, while a savepoint of another job with its timers in RocksDB, restored with heap timers, was
    // seen to come back without them (a harness test on a full snapshot), so the other jobs keep Flink's default.
    org.apache.flink.configuration.Configuration timers = new org.apache.flink.configuration.Configuration();
    timers.setString(TIMER_SERVICE, "HEAP");
    env.configure(timers);
    // Event time is the opens': a grant is refunded once the opens read have passed its expiry and the grace
    // (Topology.requestTime), never by the wall clock alone; the grants input holds no event time back.
    SingleOutputStreamOperator<Grant> grants = topology.decoded(grantSource, "grants", Codecs.GRANT, Settlement::validate,
        DecodeFunction.EventTimeField.writtenLate(Grant::getTimestamp), Topology.noEventTime());
    SingleOutputStreamOperator<Open> opens = topology.decoded(openSource, "opens", Codecs.OPEN, Settlement::validate,
        Open::getTimestamp, Topology.requestTime());
    SingleOutputStreamOperator<ShareGrant> shareMoves =
        topology.decoded(shareGrantSource, "share-grants", Codecs.SHARE_GRANT, InputRules::shareGrant);

    // Each task writes all its topics through one producer, in one transaction per checkpoint (Routed).
    SingleOutputStreamOperator<Encoded> settle = Routed.process(grants
        .keyBy(Grant::getGrantId, TypeInformation.of(String.class))
        .connect(beforeSettlement.apply(opens).keyBy(Open::getGrantId, TypeInformation.of(String.class))),
        new SettleFunction(settings), settleRoutes(outputs), SETTLE_UID, outputs.sink(SETTLE_UID));
    // A share's money was decided by the sharing job: here it is booked once, and pieces credited to friends' wallets.
    SingleOutputStreamOperator<Encoded> booked = Routed.process(shareMoves
        .keyBy(ShareGrant::getShareId, TypeInformation.of(String.class)),
        new BookShareFunction(settings.retention().plus(settings.expiry())),
        Routes.main(ledger(outputs)), "book-share-grants", outputs.sink("book-share-grants"));
    DataStream<ShareGrant> pieces = booked.getSideOutput(BookShareFunction.PIECES);
    Routed.process(settle.getSideOutput(SettleFunction.STATES)
        .keyBy(GrantState::getUserId, TypeInformation.of(String.class))
        .connect(pieces.keyBy(ShareGrant::getUserId, TypeInformation.of(String.class))),
        new WalletFunction(), walletRoutes(outputs), "wallet", outputs.sink("wallet"));
    topology.writeDeadLetters(outputs.deadLetters());
  }

  private static Route ledger(Outputs outputs) {
    return Route.of(outputs.topic(Topics.LEDGER), Codecs.LEDGER, LedgerEntry::getEntryId);
  }

  /** Where {@code settle}'s outputs go; its grant states go on to the wallets, not to a topic. */
  public static Routes settleRoutes(Outputs outputs) {
    return Routes.main(ledger(outputs))
        .and(SettleFunction.RESULTS, Route.of(outputs.topic(Topics.OPEN_RESULTS), Codecs.OPEN_RESULT, OpenResult::getOpenId))
        .and(DecodeFunction.DEAD_LETTERS, Route.of(outputs.topic(Topics.DEAD_LETTERS), Codecs.DEAD_LETTER,
            DeadLetter::getSourceTopic));
  }

  /**
   * Where {@code wallet}'s outputs go: two latest-value topics, read committed by all (the ingest, the sharing job,
   * the audit): a checkpoint's last state per grant and balance per user are all anyone sees of it.
   */
  public static Routes walletRoutes(Outputs outputs) {
    return Routes.main(Route.latest(outputs.topic(Topics.GRANT_STATES), Codecs.GRANT_STATE, GrantState::getGrantId))
        .and(WalletFunction.WALLETS, Route.latest(outputs.topic(Topics.WALLETS), Codecs.WALLET, Wallet::getUserId));
  }

  /** The real Kafka sinks; transactional id prefixes unique to this job, topic prefix and task. */
  public static Outputs kafkaSinks(String bootstrap, String topicPrefix, String transactionalIdPrefix) {
    return new Outputs(bootstrap, topicPrefix, transactionalIdPrefix);
  }

  public static final Map<String, String> FLAGS = JobMain.flags(NAME,
      "expiry-seconds", "refund a grant left unopened this long after it was granted (default: 86400, i.e. 24 h)",
      "open-wait-seconds", "how long an open waits for a grant it came before (default: 300)",
      "retention-seconds", "keep a settled grant this long after its expiry to answer repeated opens (default: 86400)",
      "open-grace-seconds", "an open stamped before the expiry that arrives this long after it still counts;"
          + " the refund waits for it (default: 60)");

  public static void main(String[] argv) throws Exception {
    JobMain.run(NAME, argv, FLAGS, SettlementJob::settings, SettlementJob::build);
  }

  static SettlementSettings settings(JobArgs args) {
    return new SettlementSettings(Duration.ofSeconds(args.positiveLong("expiry-seconds", 86_400, 31_536_000)),
        Duration.ofSeconds(args.positiveLong("open-wait-seconds", 300, 86_400)),
        Duration.ofSeconds(args.positiveLong("retention-seconds", 86_400, 31_536_000)),
        Duration.ofSeconds(args.positiveLong("open-grace-seconds", 60, 86_400)));
  }

  /** Builds the job with real Kafka sources and sinks from its arguments. */
  public static void build(StreamExecutionEnvironment env, JobArgs args) {
    KafkaArgs kafka = KafkaArgs.of(args, NAME);
    define(env, kafka.source(Topics.GRANTS, "-grants"), kafka.source(Topics.OPENS, "-opens"),
        kafka.source(Topics.SHARE_GRANTS, "-share-grants"),
        kafkaSinks(kafka.bootstrap(), kafka.topicPrefix(), kafka.transactionalIdPrefix()), settings(args),
        UnaryOperator.identity());
  }
}
