package io.redpacket.simulator;

import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenResult;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.avro.Wallet;
import io.redpacket.codec.AvroCodec;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Audit;
import io.redpacket.core.EventTime;
import io.redpacket.core.Settlement;
import io.redpacket.core.SettlementAudit;
import io.redpacket.core.ShakeRules;
import io.redpacket.core.Sharing;
import io.redpacket.core.SharingAudit;
import io.redpacket.kafka.PoolWriter;
import io.redpacket.kafka.TopicReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;

/** Reads the pipeline's topics with read_committed and runs the {@link Audit}. */
public final class AuditRunner {
  private AuditRunner() {}

  public static Audit.Report run(String bootstrap, String prefix) {
    Map<String, PoolDefinition> pools = PoolWriter.readPools(bootstrap, Topics.named(prefix, Topics.POOLS));
    // The job dead-letters undecodable and invalid shakes, and those whose time stamp is out of bounds, so they have no outcome.
    List<Shake> shakes = valid(bootstrap, Topics.named(prefix, Topics.SHAKES), Codecs.SHAKE, AuditRunner::used);
    List<ShakeOutcome> outcomes = all(bootstrap, Topics.named(prefix, Topics.SHAKE_OUTCOMES), Codecs.OUTCOME);
    List<byte[]> grants = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(prefix, Topics.GRANTS), true, r -> grants.add(r.value()));
    return Audit.run(new Audit.Input(pools, shakes, outcomes, grants));
  }

  /** The settlement audit over committed topics: grants and opens from {@code inputPrefix}, outputs from {@code outputPrefix}. */
  public static SettlementAudit.Report settlement(String bootstrap, String inputPrefix, String outputPrefix) {
    List<Grant> grants = valid(bootstrap, Topics.named(inputPrefix, Topics.GRANTS), Codecs.GRANT, (g, at) -> true);
    // Invalid opens, and those whose time stamp is out of bounds, are dead letters, never answered.
    List<Open> opens = valid(bootstrap, Topics.named(inputPrefix, Topics.OPENS), Codecs.OPEN, AuditRunner::used);
    List<OpenResult> results = all(bootstrap, Topics.named(outputPrefix, Topics.OPEN_RESULTS), Codecs.OPEN_RESULT);
    List<LedgerEntry> ledger = all(bootstrap, Topics.named(outputPrefix, Topics.LEDGER), Codecs.LEDGER);
    Map<String, Wallet> wallets = latest(bootstrap, Topics.named(outputPrefix, Topics.WALLETS), Codecs.WALLET, Wallet::getUserId);
    Map<String, GrantState> states =
        latest(bootstrap, Topics.named(outputPrefix, Topics.GRANT_STATES), Codecs.GRANT_STATE, GrantState::getGrantId);
    return SettlementAudit.run(new SettlementAudit.Input(grants, opens, results, ledger, wallets, states));
  }

  /**
   * The sharing audit over committed topics: grants, share requests and claims from {@code inputPrefix}; share
   * grants, states and answers from {@code sharingPrefix}; the ledger from {@code ledgerPrefix}.
   */
  public static SharingAudit.Report sharing(String bootstrap, String inputPrefix, String sharingPrefix,
      String ledgerPrefix) {
    List<Grant> grants = valid(bootstrap, Topics.named(inputPrefix, Topics.GRANTS), Codecs.GRANT, (g, at) -> true);
    List<ShareRequest> requests = new ArrayList<>();
    for (ShareAction action : List.of(ShareAction.SHARE, ShareAction.CLAIM)) {
      String topic = action == ShareAction.SHARE ? Topics.SHARES : Topics.SHARE_CLAIMS;
      // Invalid requests are dead letters, never answered.
      requests.addAll(valid(bootstrap, Topics.named(inputPrefix, topic), Codecs.SHARE_REQUEST,
          (q, at) -> used(q, action, at)));
    }
    List<ShareResult> results = all(bootstrap, Topics.named(sharingPrefix, Topics.SHARE_RESULTS), Codecs.SHARE_RESULT);
    List<ShareGrant> moves = all(bootstrap, Topics.named(sharingPrefix, Topics.SHARE_GRANTS), Codecs.SHARE_GRANT);
    Map<String, ShareState> states =
        latest(bootstrap, Topics.named(sharingPrefix, Topics.SHARE_STATES), Codecs.SHARE_STATE, ShareState::getShareId);
    List<LedgerEntry> ledger = all(bootstrap, Topics.named(ledgerPrefix, Topics.LEDGER), Codecs.LEDGER);
    return SharingAudit.run(new SharingAudit.Input(grants, requests, results, moves, ledger, states));
  }

  /**
   * Whether the allocation job uses a shake written with the Kafka time stamp {@code recordTime}: valid, and its
   * own time stamp within bounds ({@link EventTime}). The jobs dead-letter the others, so they have no answer.
   */
  public static boolean used(Shake s, long recordTime) {
    return ShakeRules.validate(s).isEmpty() && EventTime.check("timestamp", s.getTimestamp(), recordTime) == null;
  }

  /** Whether the settlement job uses an open: valid, and its time stamp within bounds. */
  public static boolean used(Open o, long recordTime) {
    return Settlement.validate(o).isEmpty() && EventTime.check("timestamp", o.getTimestamp(), recordTime) == null;
  }

  /** Whether the sharing job uses a request read from the topic of {@code action}: valid, and its time stamp within bounds. */
  public static boolean used(ShareRequest q, ShareAction action, long recordTime) {
    return Sharing.validate(q, action).isEmpty() && EventTime.check("timestamp", q.getTimestamp(), recordTime) == null;
  }

  /** Every record of an output topic: the jobs write only what decodes. */
  private static <T extends SpecificRecord> List<T> all(String bootstrap, String topic, AvroCodec<T> codec) {
    List<T> out = new ArrayList<>();
    TopicReader.forEach(bootstrap, topic, true, r -> out.add(codec.decode(r.value())));
    return out;
  }

  /** The records of an input topic that decode and pass {@code valid}: the jobs dead-letter the others. */
  private static <T extends SpecificRecord> List<T> valid(String bootstrap, String topic, AvroCodec<T> codec,
      BiPredicate<T, Long> valid) {
    List<T> out = new ArrayList<>();
    TopicReader.forEach(bootstrap, topic, true, r -> {
      T t = decodeOrNull(codec, r.value());
      if (t != null && valid.test(t, r.timestamp())) {
        out.add(t);
      }
    });
    return out;
  }

  /** The latest value of each key of a compacted topic, read committed: in log order per key, the last is the latest. */
  public static <T extends SpecificRecord> Map<String, T> latest(String bootstrap, String topic, AvroCodec<T> codec,
      Function<T, String> key) {
    Map<String, T> out = new HashMap<>();
    TopicReader.forEach(bootstrap, topic, true, r -> {
      T t = codec.decode(r.value());
      out.put(key.apply(t), t);
    });
    return out;
  }

  private static <T extends SpecificRecord> T decodeOrNull(AvroCodec<T> codec, byte[] bytes) {
    try {
      return codec.decode(bytes);
    } catch (RuntimeException undecodable) {
      return null;
    }
  }
}
