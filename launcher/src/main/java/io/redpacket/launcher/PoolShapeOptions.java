package io.redpacket.launcher;

import picocli.CommandLine.Option;

/** How a pool is cut into sets and what its packets may share (pool create, demo); defaults are the command's. */
final class PoolShapeOptions {
  @Option(names = "--sets", description = "independent sets the budget is split into (default: ${DEFAULT-VALUE})")
  int sets = 50;

  @Option(names = "--share-cents", description = "each opened packet may share a group packet of this many cents,"
      + " paid by the sponsor on top of the budget; 0: no sharing (default: ${DEFAULT-VALUE})")
  long shareCents;

  @Option(names = "--share-pieces", description = "pieces of that group packet, one per friend, 1 to 100"
      + " (default: ${DEFAULT-VALUE})")
  int sharePieces;

  PoolShapeOptions(long shareCents, int sharePieces) {
    this.shareCents = shareCents;
    this.sharePieces = sharePieces;
  }
}
