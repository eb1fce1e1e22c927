package io.redpacket.sql.format;

import io.redpacket.avro.AuditResult;
import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenResult;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.PoolStatus;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.avro.Wallet;
import io.redpacket.codec.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/** Which record class a topic carries, so a table over a topic needs no 'record' option. */
public final class RecordTypes {
  /** Topic (without prefix) to record class. */
  public static final Map<String, String> BY_TOPIC;

  static {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(Topics.POOLS, PoolDefinition.class.getName());
    m.put(Topics.SHAKES, Shake.class.getName());
    m.put(Topics.SHAKE_OUTCOMES, ShakeOutcome.class.getName());
    m.put(Topics.GRANTS, Grant.class.getName());
    m.put(Topics.POOL_STATUS, PoolStatus.class.getName());
    m.put(Topics.DEAD_LETTERS, DeadLetter.class.getName());
    m.put(Topics.OPENS, Open.class.getName());
    m.put(Topics.OPEN_RESULTS, OpenResult.class.getName());
    m.put(Topics.LEDGER, LedgerEntry.class.getName());
    m.put(Topics.WALLETS, Wallet.class.getName());
    m.put(Topics.GRANT_STATES, GrantState.class.getName());
    m.put(Topics.SHARES, ShareRequest.class.getName());
    m.put(Topics.SHARE_CLAIMS, ShareRequest.class.getName());
    m.put(Topics.SHARE_GRANTS, ShareGrant.class.getName());
    m.put(Topics.SHARE_RESULTS, ShareResult.class.getName());
    m.put(Topics.SHARE_STATES, ShareState.class.getName());
    m.put(Topics.AUDIT_RESULTS, AuditResult.class.getName());
    BY_TOPIC = Map.copyOf(m);
  }

  private RecordTypes() {}

  /**
   * The record class of a topic name, which may carry a campaign prefix ({@code demo-1.ledger}): the
   * longest known topic name it ends with ({@code share-grants} before {@code grants}).
   */
  public static Optional<String> forTopic(String topic) {
    if (topic == null) {
      return Optional.empty();
    }
    String best = null;
    for (String known : BY_TOPIC.keySet()) {
      boolean matches = topic.equals(known) || topic.endsWith(known) && !Character.isLetterOrDigit(
          topic.charAt(topic.length() - known.length() - 1));
      if (matches && (best == null || known.length() > best.length())) {
        best = known;
      }
    }
    return Optional.ofNullable(best).map(BY_TOPIC::get);
  }

  /** A record class by simple name ({@code LedgerEntry}) or full name. */
  @SuppressWarnings("unchecked")
  public static Class<? extends SpecificRecord> load(String name, ClassLoader loader) {
    String full = name.contains(".") ? name : "io.redpacket.avro." + name;
    try {
      Class<?> c = Class.forName(full, true, loader == null ? RecordTypes.class.getClassLoader() : loader);
      if (!SpecificRecord.class.isAssignableFrom(c)) {
        throw new IllegalArgumentException(full + " is not an Avro record class");
      }
      return (Class<? extends SpecificRecord>) c;
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("no Avro record class " + full + " (known: " + new java.util.TreeSet<>(
          BY_TOPIC.values().stream().map(v -> v.substring(v.lastIndexOf('.') + 1)).toList()) + ")", e);
    }
  }
}
