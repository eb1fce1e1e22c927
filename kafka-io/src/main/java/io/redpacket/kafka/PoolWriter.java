package io.redpacket.kafka;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.codec.Codecs;
import io.redpacket.core.PoolRules;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Validates a pool definition and writes it to the compacted {@code pools} topic. */
public final class PoolWriter {
  private PoolWriter() {}

  /** Raised with every reason a definition was refused; nothing was written. */
  public static final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
      super(message);
    }
  }

  public static void create(String bootstrap, String poolsTopic, PoolDefinition pool) {
    List<String> errors = PoolRules.validate(pool);
    if (!errors.isEmpty()) {
      throw new RefusedException("pool " + pool.getPoolId() + " was not created:\n  - " + String.join("\n  - ", errors));
    }
    PoolDefinition existing = readPools(bootstrap, poolsTopic).get(pool.getPoolId());
    if (existing != null) {
      throw new RefusedException("pool " + pool.getPoolId() + " already exists (pools cannot change once created);"
          + " choose another --id");
    }
    ProducerSettings.sendAndWait(bootstrap, new ProducerRecord<>(poolsTopic,
        pool.getPoolId().getBytes(StandardCharsets.UTF_8), Codecs.POOL.encode(pool)));
  }

  /** The pools as the jobs see them: the first valid definition of each id. */
  public static Map<String, PoolDefinition> readPools(String bootstrap, String poolsTopic) {
    Map<String, PoolDefinition> pools = new java.util.TreeMap<>();
    TopicReader.forEach(bootstrap, poolsTopic, true, r -> {
      try {
        PoolDefinition p = Codecs.POOL.decode(r.value());
        if (PoolRules.validate(p).isEmpty()) {
          pools.putIfAbsent(p.getPoolId(), p);
        }
      } catch (RuntimeException undecodable) {
        // the jobs dead-letter it; the audit ignores it the same way
      }
    });
    return pools;
  }
}
