package io.redpacket.core;

/** Kafka and Flink keys. Pool ids may not contain '/', so the keys parse unambiguously. */
public final class Keys {
  private Keys() {}

  /** The key of a shake and of a set's status: {@code poolId/setId}. */
  public static String set(String poolId, int setId) {
    return poolId + "/" + setId;
  }

  /** Grant ids are {@code poolId/setId/sequence}: unique, and the same on every replay. */
  public static String grant(String poolId, int setId, long sequence) {
    return poolId + "/" + setId + "/" + sequence;
  }
}
