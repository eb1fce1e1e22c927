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
import io.redpacket.core.Settlement;
import io.redpacket.jobs.common.DecodeFunction;
import io.redpacket.jobs.common.JobArgs;
import io.redpacket.jobs.common.JobMain;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.common.RawRecord;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The settlement job: grants, opens and share grants in; the ledger, wallets, grant states and open results out.
 *
 * <pre>
 * grants -> decode-grants -> keyBy(grantId) --+
 * opens  -> decode-opens  -> keyBy(grantId) --+-> settle -> ledger
 *                                                  |-> open-results
 *                                                  +-> grant states -> keyBy(userId) --+-> wallet -> grant-states, wallets
 * share-grants -> decode-share-grants -> keyBy(shareId) -> book-share-grants -> ledger
 *                                                     +-> pieces -> keyBy(userId) ----+
 *           (undecodable or invalid records -> dead-letters)
 * </pre>
 */
public final class SettlementJob {
  public static final String NAME = "redpacket-settlement";

  private SettlementJob() {}

  /** Where the job writes; tests pass their own. */
  public record Sinks(Sink<LedgerEntry> ledger, Sink<Wallet> wallets, Sink<GrantState> grantStates,
      Sink<OpenResult> openResults, Sink<DeadLetter> deadLetters) {}

  /** The topology; sources and sinks come from the caller. {@code beforeSettlement} lets tests inject faults. */
  public static void define(StreamExecutionEnvironment env, Source<RawRecord, ?, ?> grantSource,
      Source<RawRecord, ?, ?> openSource, Source<RawRecord, ?, ?> shareGrantSource, Sinks sinks, SettlementSettings settings,
      UnaryOperator<DataStream<Open>> beforeSettlement) {
    env.setMaxParallelism(io.redpacket.jobs.allocation.AllocationJob.MAX_PARALLELISM);
    env.getConfig().enableObjectReuse();

    SingleOutputStreamOperator<Grant> grants = env
        .fromSource(grantSource, WatermarkStrategy.noWatermarks(), "grants-source").uid("grants-source")
        .process(new DecodeFunction<>("settlement", Codecs.GRANT, Settlement::validate), TypeInformation.of(Grant.class))
        .name("decode-grants").uid("decode-grants");
    SingleOutputStreamOperator<Open> opens = env
        .fromSource(openSource, WatermarkStrategy.noWatermarks(), "opens-source").uid("opens-source")
        .process(new DecodeFunction<>("settlement", Codecs.OPEN, Settlement::validate), TypeInformation.of(Open.class))
        .name("decode-opens").uid("decode-opens");
    SingleOutputStreamOperator<ShareGrant> shareMoves = env
        .fromSource(shareGrantSource, WatermarkStrategy.noWatermarks(), "share-grants-source").uid("share-grants-source")
        .process(new DecodeFunction<>("settlement", Codecs.SHARE_GRANT, SettlementJob::validate),
            TypeInformation.of(ShareGrant.class))
        .name("decode-share-grants").uid("decode-share-grants");

    SingleOutputStreamOperator<LedgerEntry> ledger = grants
        .keyBy(Grant::getGrantId, TypeInformation.of(String.class))
        .connect(beforeSettlement.apply(opens).keyBy(Open::getGrantId, TypeInformation.of(String.class)))
        .process(new SettleFunction(settings), TypeInformation.of(LedgerEntry.class))
        .name("settle").uid("settle");
    // A share's money was decided by the sharing job: here it is booked once, and pieces credited to friends' wallets.
    SingleOutputStreamOperator<LedgerEntry> shareEntries = shareMoves
        .keyBy(ShareGrant::getShareId, TypeInformation.of(String.class))
        .process(new BookShareFunction(settings.retention().plus(settings.expiry())), TypeInformation.of(LedgerEntry.class))
        .name("book-share-grants").uid("book-share-grants");
    DataStream<ShareGrant> pieces = shareEntries.getSideOutput(BookShareFunction.PIECES);
    SingleOutputStreamOperator<GrantState> states = ledger.getSideOutput(SettleFunction.STATES)
        .keyBy(GrantState::getUserId, TypeInformation.of(String.class))
        .connect(pieces.keyBy(ShareGrant::getUserId, TypeInformation.of(String.class)))
        .process(new WalletFunction(), TypeInformation.of(GrantState.class))
        .name("wallet").uid("wallet");

    ledger.union(shareEntries).sinkTo(sinks.ledger()).name("ledger-sink").uid("ledger-sink");
    ledger.getSideOutput(SettleFunction.RESULTS).sinkTo(sinks.openResults()).name("open-results-sink").uid("open-results-sink");
    states.sinkTo(sinks.grantStates()).name("grant-states-sink").uid("grant-states-sink");
    states.getSideOutput(WalletFunction.WALLETS).sinkTo(sinks.wallets()).name("wallets-sink").uid("wallets-sink");
    grants.getSideOutput(DecodeFunction.DEAD_LETTERS)
        .union(opens.getSideOutput(DecodeFunction.DEAD_LETTERS), ledger.getSideOutput(DecodeFunction.DEAD_LETTERS),
            shareMoves.getSideOutput(DecodeFunction.DEAD_LETTERS))
        .sinkTo(sinks.deadLetters()).name("dead-letters-sink").uid("dead-letters-sink");
  }

  /** The real Kafka sinks; every money-bearing one exactly-once with its own transactional id prefix. */
  public static Sinks kafkaSinks(String bootstrap, String topicPrefix, String transactionalIdPrefix) {
    return new Sinks(
        KafkaIo.exactlyOnce(bootstrap, topicPrefix, Topics.LEDGER, Codecs.LEDGER, LedgerEntry::getEntryId, transactionalIdPrefix),
        KafkaIo.exactlyOnce(bootstrap, topicPrefix, Topics.WALLETS, Codecs.WALLET, Wallet::getUserId, transactionalIdPrefix),
        KafkaIo.exactlyOnce(bootstrap, topicPrefix, Topics.GRANT_STATES, Codecs.GRANT_STATE, GrantState::getGrantId,
            transactionalIdPrefix),
        KafkaIo.exactlyOnce(bootstrap, topicPrefix, Topics.OPEN_RESULTS, Codecs.OPEN_RESULT, OpenResult::getOpenId,
            transactionalIdPrefix),
        KafkaIo.deadLetters(bootstrap, topicPrefix));
  }

  /** Why a share movement cannot be booked; empty when it can. */
  static java.util.List<String> validate(ShareGrant m) {
    java.util.List<String> errors = new java.util.ArrayList<>();
    for (String field : new String[] {m.getMoveId(), m.getShareId(), m.getPoolId(), m.getSponsor(), m.getUserId()}) {
      if (field == null || field.isEmpty() || field.length() > 256) {
        errors.add("ids must be 1 to 256 characters");
        break;
      }
    }
    if (m.getCents() <= 0) {
      errors.add("cents must be positive, not " + m.getCents());
    }
    return errors;
  }

  public static final Map<String, String> FLAGS = flags();

  private static Map<String, String> flags() {
    Map<String, String> f = JobMain.commonFlags(NAME);
    f.put("expiry-seconds", "refund a grant left unopened this long after it was granted (default: 86400, i.e. 24 h)");
    f.put("open-wait-seconds", "how long an open waits for a grant it came before (default: 300)");
    f.put("retention-seconds", "keep a settled grant this long after its expiry to answer repeated opens (default: 86400)");
    return f;
  }

  public static void main(String[] argv) throws Exception {
    JobMain.run(NAME, argv, FLAGS, SettlementJob::settings, SettlementJob::build);
  }

  static SettlementSettings settings(JobArgs args) {
    return new SettlementSettings(Duration.ofSeconds(args.positiveLong("expiry-seconds", 86_400, 31_536_000)),
        Duration.ofSeconds(args.positiveLong("open-wait-seconds", 300, 86_400)),
        Duration.ofSeconds(args.positiveLong("retention-seconds", 86_400, 31_536_000)));
  }

  /** Builds the job with real Kafka sources and sinks from its arguments. */
  public static void build(StreamExecutionEnvironment env, JobArgs args) {
    String bootstrap = args.required("bootstrap");
    String prefix = args.get("topic-prefix", "");
    String group = args.get("group", NAME);
    boolean bounded = args.flag("bounded");
    define(env,
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.GRANTS), group + "-grants", bounded),
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.OPENS), group + "-opens", bounded),
        KafkaIo.source(bootstrap, Topics.named(prefix, Topics.SHARE_GRANTS), group + "-share-grants", bounded),
        kafkaSinks(bootstrap, prefix, args.get("transactional-id-prefix", NAME)), settings(args), UnaryOperator.identity());
  }
}
