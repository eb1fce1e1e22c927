package io.redpacket.codec;

import java.util.List;

/** The Kafka topics of the pipeline: their default names, keys and schemas are in the README. */
public final class Topics {
  public static final String POOLS = "pools";
  public static final String SHAKES = "shakes";
  public static final String SHAKE_OUTCOMES = "shake-outcomes";
  public static final String GRANTS = "grants";
  public static final String POOL_STATUS = "pool-status";
  public static final String DEAD_LETTERS = "dead-letters";
  public static final String OPENS = "opens";
  public static final String OPEN_RESULTS = "open-results";
  public static final String LEDGER = "ledger";
  public static final String WALLETS = "wallets";
  public static final String GRANT_STATES = "grant-states";
  public static final String SHARES = "shares";
  public static final String SHARE_CLAIMS = "share-claims";
  public static final String SHARE_GRANTS = "share-grants";
  public static final String SHARE_RESULTS = "share-results";
  public static final String SHARE_STATES = "share-states";
  /** Findings of the continuous audit job (AuditResult). */
  public static final String AUDIT_RESULTS = "audit-results";

  /** Topics whose latest record per key is what matters; created with cleanup.policy=compact. */
  public static final List<String> COMPACTED = List.of(POOLS, POOL_STATUS, WALLETS, GRANT_STATES, SHARE_STATES);

  public static final List<String> ALL = List.of(POOLS, SHAKES, SHAKE_OUTCOMES, GRANTS, POOL_STATUS, DEAD_LETTERS,
      OPENS, OPEN_RESULTS, LEDGER, WALLETS, GRANT_STATES, SHARES, SHARE_CLAIMS, SHARE_GRANTS, SHARE_RESULTS,
      SHARE_STATES, AUDIT_RESULTS);

  /**
   * The money's history: what was asked, granted, moved and refused. Never deleted by age or size (retention -1),
   * so the ledger can always be audited from its first entry and a job can be replayed from the start.
   */
  public static final List<String> KEPT = List.of(SHAKES, GRANTS, OPENS, LEDGER, SHARES, SHARE_CLAIMS, SHARE_GRANTS,
      DEAD_LETTERS, AUDIT_RESULTS);

  private Topics() {}

  /** The pipeline topic a (possibly prefixed) name stands for, or the name itself if it is none of them. */
  public static String base(String name) {
    String best = name;
    int bestLength = -1;
    for (String t : ALL) {
      if (name.endsWith(t) && t.length() > bestLength) {
        best = t;
        bestLength = t.length();
      }
    }
    return best;
  }

  /** A topic name with an optional prefix, so tests and several campaigns can share one broker. */
  public static String named(String prefix, String topic) {
    return prefix == null || prefix.isEmpty() ? topic : prefix + topic;
  }
}
