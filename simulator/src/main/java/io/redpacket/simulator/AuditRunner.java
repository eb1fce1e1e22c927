package io.redpacket.simulator;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.codec.Codecs;
import io.redpacket.codec.Topics;
import io.redpacket.core.Audit;
import io.redpacket.core.ShakeRules;
import io.redpacket.stack.TopicReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads the pipeline's topics with read_committed and runs the {@link Audit}. */
public final class AuditRunner {
  private AuditRunner() {}

  public static Audit.Report run(String bootstrap, String prefix) {
    Map<String, PoolDefinition> pools = PoolWriter.readPools(bootstrap, Topics.named(prefix, Topics.POOLS));
    List<Shake> shakes = new ArrayList<>();
    for (var r : TopicReader.readAll(bootstrap, Topics.named(prefix, Topics.SHAKES), true)) {
      try {
        Shake s = Codecs.SHAKE.decode(r.value());
        if (ShakeRules.validate(s).isEmpty()) {
          shakes.add(s); // the job dead-letters the others, so they have no outcome
        }
      } catch (RuntimeException undecodable) {
        // a dead letter, likewise
      }
    }
    List<ShakeOutcome> outcomes = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(prefix, Topics.SHAKE_OUTCOMES), true,
        r -> outcomes.add(Codecs.OUTCOME.decode(r.value())));
    List<byte[]> grants = new ArrayList<>();
    TopicReader.forEach(bootstrap, Topics.named(prefix, Topics.GRANTS), true, r -> grants.add(r.value()));
    return Audit.run(new Audit.Input(pools, shakes, outcomes, grants));
  }
}
