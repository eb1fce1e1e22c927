package io.redpacket.launcher;

/** Bounds on numeric flags, reported as usage errors that name the flag. */
final class Checks {
  private Checks() {}

  static void range(String flag, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(flag + " must be from " + min + " to " + max + ", was " + value);
    }
  }
}
