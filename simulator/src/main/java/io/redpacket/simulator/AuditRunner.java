package io.redpacket.simulator;

import io.redpacket.kafka.PoolWriter;
import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenResult;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.ShareAction;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.avro.Wallet;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Audit;
import io.redpacket.core.Settlement;
import io.redpacket.core.SettlementAudit;
import io.redpacket.core.ShakeRules;
import io.redpacket.core.Sharing;
import io.redpacket.core.SharingAudit;
import io.redpacket.kafka.TopicReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads the pipeline's topics with read_committed and runs the {@link Audit}. */
public final class AuditRunner {
  private AuditRunner() {}

  public static Audit.Report run(String bootstrap, String prefix) {
    Map<String, PoolDefinition> pools = PoolWriter.readPools(bootstrap, Topics.named(prefix, Topics.POOLS));
    List<Shake> shakes = new ArrayList<>();
    for (var r : TopicReader.readAll(bootstrap, Topics.named(prefix, Topics.SHAKES), true)) {
      Shake s = decodeOrNull(Codecs.SHAKE, r.value());
      if (s != null && ShakeRules.validate(s).isEmpty()) {
        shakes.add(s); // the job dead-letters the others, so they have no outcome
      }
    }
    List<ShakeOutcome> outcomes = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(prefix, Topics.SHAKE_OUTCOMES), true,
        r -> outcomes.add(Codecs.OUTCOME.decode(r.value())));
    List<byte[]> grants = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(prefix, Topics.GRANTS), true, r -> grants.add(r.value()));
    return Audit.run(new Audit.Input(pools, shakes, outcomes, grants));
  }

  /** The settlement audit over committed topics: grants and opens from {@code inputPrefix}, outputs from {@code outputPrefix}. */
  public static SettlementAudit.Report settlement(String bootstrap, String inputPrefix, String outputPrefix) {
    List<Grant> grants = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(inputPrefix, Topics.GRANTS), true, r -> {
      Grant g = decodeOrNull(Codecs.GRANT, r.value());
      if (g != null) {
        grants.add(g);
      }
    });
    List<Open> opens = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(inputPrefix, Topics.OPENS), true, r -> {
      Open o = decodeOrNull(Codecs.OPEN, r.value());
      if (o != null && Settlement.validate(o).isEmpty()) { // the others are dead letters, never answered
        opens.add(o);
      }
    });
    List<OpenResult> results = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(outputPrefix, Topics.OPEN_RESULTS), true,
        r -> results.add(Codecs.OPEN_RESULT.decode(r.value())));
    List<LedgerEntry> ledger = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(outputPrefix, Topics.LEDGER), true,
        r -> ledger.add(Codecs.LEDGER.decode(r.value())));
    Map<String, Wallet> wallets = new HashMap<>();
    TopicReader.forEach(bootstrap, Topics.named(outputPrefix, Topics.WALLETS), true, r -> {
      Wallet w = Codecs.WALLET.decode(r.value());
      wallets.put(w.getUserId(), w); // log order per key: the last is the latest
    });
    Map<String, GrantState> states = new HashMap<>();
    TopicReader.forEach(bootstrap, Topics.named(outputPrefix, Topics.GRANT_STATES), true, r -> {
      GrantState s = Codecs.GRANT_STATE.decode(r.value());
      states.put(s.getGrantId(), s);
    });
    return SettlementAudit.run(new SettlementAudit.Input(grants, opens, results, ledger, wallets, states));
  }

  /**
   * The sharing audit over committed topics: grants, share requests and claims from {@code inputPrefix}; share
   * grants, states and answers from {@code sharingPrefix}; the ledger from {@code ledgerPrefix}.
   */
  public static SharingAudit.Report sharing(String bootstrap, String inputPrefix, String sharingPrefix,
      String ledgerPrefix) {
    List<Grant> grants = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(inputPrefix, Topics.GRANTS), true, r -> {
      Grant g = decodeOrNull(Codecs.GRANT, r.value());
      if (g != null) {
        grants.add(g);
      }
    });
    List<ShareRequest> requests = new ArrayList<>();
    for (var topic : List.of(Map.entry(Topics.SHARES, ShareAction.SHARE), Map.entry(Topics.SHARE_CLAIMS, ShareAction.CLAIM))) {
      TopicReader.forEach(bootstrap, Topics.named(inputPrefix, topic.getKey()), true, r -> {
        ShareRequest q = decodeOrNull(Codecs.SHARE_REQUEST, r.value());
        if (q != null && Sharing.validate(q, topic.getValue()).isEmpty()) { // the others are dead letters
          requests.add(q);
        }
      });
    }
    List<ShareResult> results = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(sharingPrefix, Topics.SHARE_RESULTS), true,
        r -> results.add(Codecs.SHARE_RESULT.decode(r.value())));
    List<ShareGrant> moves = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(sharingPrefix, Topics.SHARE_GRANTS), true,
        r -> moves.add(Codecs.SHARE_GRANT.decode(r.value())));
    Map<String, ShareState> states = new HashMap<>();
    TopicReader.forEach(bootstrap, Topics.named(sharingPrefix, Topics.SHARE_STATES), true, r -> {
      ShareState s = Codecs.SHARE_STATE.decode(r.value());
      states.put(s.getShareId(), s);
    });
    List<LedgerEntry> ledger = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(ledgerPrefix, Topics.LEDGER), true,
        r -> ledger.add(Codecs.LEDGER.decode(r.value())));
    return SharingAudit.run(new SharingAudit.Input(grants, requests, results, moves, ledger, states));
  }

  /** The record, or null for bytes that do not decode (the job dead-letters those). */
  private static <T extends org.apache.avro.specific.SpecificRecord> T decodeOrNull(io.redpacket.codec.AvroCodec<T> codec,
      byte[] bytes) {
    try {
      return codec.decode(bytes);
    } catch (RuntimeException undecodable) {
      return null;
    }
  }
}
