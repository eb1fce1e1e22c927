package io.redpacket.ingest;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The jobs the ingest waits on, each with its {@link BackendSignal}: allocation (shake outcomes),
 * settlement (open results) and sharing (share and claim results). For readiness, the load level
 * and the {@code redpacket_ingest_backend_silent_seconds} gauge.
 */
final class Backends {
  private final Map<String, BackendSignal> jobs = new LinkedHashMap<>();

  Backends(BackendSignal allocation, BackendSignal settlement, BackendSignal sharing) {
    jobs.put("allocation", allocation);
    jobs.put("settlement", settlement);
    jobs.put("sharing", sharing);
  }

  boolean anySilent() {
    for (BackendSignal s : jobs.values()) {
      if (s.silent()) {
        return true;
      }
    }
    return false;
  }

  /** Each job's state in words: {@code "answering"} or {@code "silent for 7 s"}. */
  JsonObject json() {
    JsonObject j = new JsonObject();
    jobs.forEach((job, s) -> {
      long silent = s.silentMillis();
      j.put(job, silent == 0 ? "answering" : "silent for " + silent / 1000 + " s");
    });
    return j;
  }

  /** Sets the gauge of each job: seconds it has been silent, 0 while it answers. */
  void publish(IngestMetrics metrics) {
    jobs.forEach((job, s) -> metrics.backendSilent.labelValues(job).set(s.silentMillis() / 1000.0));
  }
}
