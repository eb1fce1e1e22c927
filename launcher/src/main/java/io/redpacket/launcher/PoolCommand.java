package io.redpacket.launcher;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import io.redpacket.codec.Topics;
import io.redpacket.core.Table;
import io.redpacket.kafka.PoolWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "pool", mixinStandardHelpOptions = true, description = "Manage pools.", subcommands = {PoolCommand.Create.class})
final class PoolCommand {

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Validate a pool definition and write it to the pools topic. Nothing is written if it is impossible.")
  static final class Create implements Callable<Integer> {
    @Mixin StackOptions stack;

    @Option(names = "--id", required = true, description = "pool id: letters, digits, '.', '_', ':', '-'")
    String id;

    @Option(names = "--sponsor", defaultValue = "sponsor", description = "who pays (default: ${DEFAULT-VALUE})")
    String sponsor;

    @Option(names = "--total-cents", required = true, description = "the budget, in cents")
    long totalCents;

    @Option(names = "--count", required = true, description = "number of packets")
    int count;

    @Mixin
    PoolShapeOptions shape = new PoolShapeOptions(0, 0);

    @Option(names = "--min-cents", defaultValue = "1", description = "smallest packet (default: ${DEFAULT-VALUE})")
    long minCents;

    @Option(names = "--max-cents", description = "largest packet (default: 20 times the average, within the budget)")
    Long maxCents;

    @Option(names = "--start", defaultValue = "now", description = "window start: ISO-8601 instant or 'now' (default: ${DEFAULT-VALUE})")
    String start;

    @Option(names = "--duration", defaultValue = "PT1H", description = "window length, ISO-8601 (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--mode", defaultValue = "LUCKY", description = "LUCKY (double average) or FIXED (equal packets)")
    SplitMode mode;

    @Option(names = "--per-user-limit", defaultValue = "1", description = "packets one user may win (default: ${DEFAULT-VALUE})")
    int perUserLimit;

    @Option(names = "--pacing", description = "release each set's packets evenly over the window")
    boolean pacing;

    @Override
    public Integer call() {
      PoolDefinition pool;
      try {
        pool = definition();
      } catch (IllegalArgumentException e) {
        System.err.println("pool create: " + e.getMessage());
        return 2;
      }
      try {
        PoolWriter.create(stack.bootstrap, Topics.named(stack.topicPrefix, Topics.POOLS), pool);
      } catch (PoolWriter.RefusedException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      System.out.print(describe(pool));
      return 0;
    }

    PoolDefinition definition() {
      long startMillis;
      long durationMillis;
      try {
        startMillis = start.equals("now") ? System.currentTimeMillis() : Instant.parse(start).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("--start must be 'now' or an ISO-8601 instant such as 2026-02-18T22:30:00Z, not '" + start + "'");
      }
      try {
        durationMillis = Duration.parse(duration).toMillis();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("--duration must be ISO-8601 such as PT10M or PT1H, not '" + duration + "'");
      }
      long max = maxCents != null ? maxCents : defaultMax(totalCents, count, minCents);
      return PoolDefinition.newBuilder().setPoolId(id).setSponsor(sponsor).setTotalCents(totalCents)
          .setTotalCount(count).setSets(shape.sets).setMinCents(minCents).setMaxCents(max).setStartMillis(startMillis)
          .setEndMillis(startMillis + durationMillis).setSplitMode(mode).setPerUserLimit(perUserLimit)
          .setPacing(pacing).setCreatedMillis(System.currentTimeMillis()).setShareCents(shape.shareCents)
          .setSharePieces(shape.sharePieces).build();
    }
  }

  /** Twenty times the average packet, but never above the budget nor below min. */
  static long defaultMax(long totalCents, long count, long min) {
    if (count <= 0) {
      return Math.max(min, totalCents);
    }
    return Math.max(min, Math.min(totalCents, 20 * Math.max(1, totalCents / count)));
  }

  static String describe(PoolDefinition p) {
    return new Table("pool", "sponsor", "packets", "budget", "sets", "min", "max", "mode", "per user", "pacing",
        "share", "window")
        .row(p.getPoolId(), p.getSponsor(), String.format("%,d", p.getTotalCount()), Table.money(p.getTotalCents()),
            p.getSets(), Table.money(p.getMinCents()), Table.money(p.getMaxCents()), p.getSplitMode(),
            p.getPerUserLimit(), p.getPacing() ? "yes" : "no",
            p.getShareCents() == 0 ? "no" : Table.money(p.getShareCents()) + " in " + p.getSharePieces(),
            Instant.ofEpochMilli(p.getStartMillis()) + " .. " + Instant.ofEpochMilli(p.getEndMillis()))
        .render();
  }
}
