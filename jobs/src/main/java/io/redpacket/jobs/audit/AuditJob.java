package io.redpacket.jobs.audit;

import io.redpacket.avro.AuditResult;
import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.EntryKind;
import io.redpacket.avro.Grant;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Wallet;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.jobs.common.JobArgs;
import io.redpacket.jobs.common.JobMain;
import io.redpacket.jobs.common.KafkaArgs;
import io.redpacket.jobs.common.KafkaIo;
import io.redpacket.jobs.common.RawRecord;
import io.redpacket.jobs.common.Topology;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The continuous audit: invariants 4 and 5 of docs/design.md checked as the streams flow, findings to
 * {@code audit-results} and to the metric {@code redpacket_audit_violations_total} (Prometheus alerts on it).
 *
 * <pre>
 * ledger -> decode-ledger --> entries (balanced?)                      --+
 *                        +--> keyBy(grantId) <- grants: grant-audit     --+--> audit-results
 *                        +--> keyBy(poolId)  <- grants: pool-audit      --+
 *                        +--> credits keyBy(user) <- wallets: wallet-audit+
 * </pre>
 *
 * It reads with read_committed, so it sees what downstream readers see; it writes no money.
 */
public final class AuditJob {
  public static final String NAME = "redpacket-audit";

  private AuditJob() {}

  /** How long the audit waits before it judges: a grant for an entry, a quiet pool or wallet. */
  public record Settings(Duration grantWait, Duration quiet) {}

  public static void define(StreamExecutionEnvironment env, Source<RawRecord, ?, ?> grantSource,
      Source<RawRecord, ?, ?> ledgerSource, Source<RawRecord, ?, ?> walletSource, Sink<AuditResult> results,
      Sink<DeadLetter> deadLetters, Settings settings) {
    Topology topology = new Topology(env, "audit");
    // Nothing is refused as invalid here: a bad record is exactly what the audit is for.
    SingleOutputStreamOperator<Grant> grants = topology.decoded(grantSource, "grants", Codecs.GRANT, g -> java.util.List.of());
    SingleOutputStreamOperator<LedgerEntry> ledger = topology.decoded(ledgerSource, "ledger", Codecs.LEDGER, e -> java.util.List.of());
    SingleOutputStreamOperator<Wallet> wallets = topology.decoded(walletSource, "wallets", Codecs.WALLET, w -> java.util.List.of());
    TypeInformation<String> text = TypeInformation.of(String.class);
    TypeInformation<AuditResult> result = TypeInformation.of(AuditResult.class);

    DataStream<AuditResult> entries = ledger.process(new EntryAuditFunction(), result).name("entry-audit").uid("entry-audit");
    DataStream<LedgerEntry> grantEntries = ledger
        .filter(e -> e.getKind() == EntryKind.RESERVE || e.getKind() == EntryKind.CREDIT || e.getKind() == EntryKind.REFUND)
        .name("grant-entries").uid("grant-entries");
    DataStream<AuditResult> perGrant = grants.keyBy(Grant::getGrantId, text)
        .connect(grantEntries.keyBy(LedgerEntry::getGrantId, text))
        .process(new GrantAuditFunction(settings.grantWait()), result).name("grant-audit").uid("grant-audit");
    DataStream<AuditResult> perPool = grants.keyBy(Grant::getPoolId, text)
        .connect(grantEntries.keyBy(LedgerEntry::getPoolId, text))
        .process(new PoolAuditFunction(settings.quiet()), result).name("pool-audit").uid("pool-audit");
    DataStream<LedgerEntry> credits = ledger
        .filter(e -> e.getCreditAccount().startsWith("wallet:")).name("wallet-credits").uid("wallet-credits");
    DataStream<AuditResult> perWallet = wallets.keyBy(Wallet::getUserId, text)
        .connect(credits.keyBy(e -> e.getCreditAccount().substring("wallet:".length()), text))
        .process(new WalletAuditFunction(settings.quiet()), result).name("wallet-audit").uid("wallet-audit");

    Topology.write(entries.union(perGrant, perPool, perWallet), results, "audit-results");
    topology.writeDeadLetters(deadLetters);
  }

  public static final Map<String, String> FLAGS = JobMain.flags(NAME,
      "grant-wait-seconds", "how long a ledger entry waits for its grant before it is flagged (default: 60)",
      "quiet-seconds", "how long a pool or wallet stays unchanged before its sums are compared (default: 10)");

  public static void main(String[] argv) throws Exception {
    JobMain.run(NAME, argv, FLAGS, AuditJob::settings, AuditJob::build);
  }

  static Settings settings(JobArgs args) {
    return new Settings(Duration.ofSeconds(args.positiveLong("grant-wait-seconds", 60, 86_400)),
        Duration.ofSeconds(args.positiveLong("quiet-seconds", 10, 86_400)));
  }

  /** The findings' sink: exactly-once, so a restart does not report a finding twice to read_committed readers. */
  public static Sink<AuditResult> resultSink(String bootstrap, String topicPrefix, String transactionalIdPrefix) {
    return KafkaIo.exactlyOnce(bootstrap, topicPrefix, Topics.AUDIT_RESULTS, Codecs.AUDIT_RESULT,
        r -> r.getCheck() + "/" + r.getSubject(), transactionalIdPrefix);
  }

  /** Builds the job with real Kafka sources and sinks from its arguments. */
  public static void build(StreamExecutionEnvironment env, JobArgs args) {
    KafkaArgs kafka = KafkaArgs.of(args, NAME);
    // One task slot whatever the others run at: the audit is light, and the slot counts (PipelineJobs.slotsFor) know it.
    env.setParallelism(1);
    define(env, kafka.source(Topics.GRANTS, "-grants"), kafka.source(Topics.LEDGER, "-ledger"),
        kafka.source(Topics.WALLETS, "-wallets"),
        resultSink(kafka.bootstrap(), kafka.topicPrefix(), kafka.transactionalIdPrefix()),
        KafkaIo.deadLetters(kafka.bootstrap(), kafka.topicPrefix()), settings(args));
  }
}
