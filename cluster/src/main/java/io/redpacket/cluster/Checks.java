package io.redpacket.cluster;

/** Bounds on numeric flags, reported as usage errors that name the flag. */
public class Checks {
  /** Open to the launcher's own Checks, which extends this one. */
  protected Checks() {}

  public static void range(String flag, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(flag + " must be from " + min + " to " + max + ", was " + value);
    }
  }
}
