package io.redpacket.launcher;

/** The flag checks of module cluster, under the name this package's commands use. */
final class Checks extends io.redpacket.cluster.Checks {
  private Checks() {}
}
