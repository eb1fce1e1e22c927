package io.redpacket.core;

/** The remembered outcome of a shakeId, so that a repeated shakeId gets the same answer. */
public class SeenShake {
  public String userId;
  /** Ordinal of {@link io.redpacket.avro.OutcomeCode}. */
  public int outcome;
  public String grantId;
  public long cents;
  public long timestamp;

  public SeenShake() {}
}
