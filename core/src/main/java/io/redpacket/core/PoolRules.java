package io.redpacket.core;

import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.SplitMode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** What makes a pool definition possible, and how its budget is split over its sets up front. */
public final class PoolRules {
  public static final int MAX_ID_LENGTH = 64;
  public static final int MAX_SETS = 1024;
  public static final int MAX_COUNT = 1_000_000_000;
  public static final long MAX_TOTAL_CENTS = 1_000_000_000_000_000L; // ten trillion units
  public static final int MAX_PER_USER_LIMIT = 1000;
  public static final long MAX_SHARE_CENTS = 100_000_000L; // a million units per group packet
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_ID_LENGTH + "}");

  private PoolRules() {}

  /** Every reason the pool cannot be run; empty when it can. Messages say what to change. */
  public static List<String> validate(PoolDefinition p) {
    List<String> errors = new ArrayList<>();
    if (p.getPoolId() == null || !ID.matcher(p.getPoolId()).matches()) {
      errors.add("poolId must be 1-" + MAX_ID_LENGTH + " characters of letters, digits, '.', '_', ':' or '-'");
    }
    if (p.getSponsor() == null || !ID.matcher(p.getSponsor()).matches()) {
      errors.add("sponsor must be 1-" + MAX_ID_LENGTH + " characters of letters, digits, '.', '_', ':' or '-'");
    }
    long total = p.getTotalCents();
    long count = p.getTotalCount();
    long min = p.getMinCents();
    long max = p.getMaxCents();
    if (total < 1 || total > MAX_TOTAL_CENTS) {
      errors.add("totalCents must be between 1 and " + MAX_TOTAL_CENTS + ", was " + total);
    }
    if (count < 1 || count > MAX_COUNT) {
      errors.add("totalCount must be between 1 and " + MAX_COUNT + ", was " + count);
    }
    if (p.getSets() < 1 || p.getSets() > MAX_SETS) {
      errors.add("sets must be between 1 and " + MAX_SETS + ", was " + p.getSets());
    } else if (count >= 1 && p.getSets() > count) {
      errors.add("sets (" + p.getSets() + ") cannot exceed totalCount (" + count + "): every set needs a packet");
    }
    if (min < 1) {
      errors.add("minCents must be at least 1, was " + min);
    }
    if (max < min) {
      errors.add("maxCents (" + max + ") must be at least minCents (" + min + ")");
    }
    if (p.getEndMillis() <= p.getStartMillis()) {
      errors.add("the window is empty: endMillis (" + p.getEndMillis() + ") must be after startMillis (" + p.getStartMillis() + ")");
    }
    if (p.getPerUserLimit() < 1 || p.getPerUserLimit() > MAX_PER_USER_LIMIT) {
      errors.add("perUserLimit must be between 1 and " + MAX_PER_USER_LIMIT + ", was " + p.getPerUserLimit());
    }
    if (p.getSplitMode() == null) {
      errors.add("splitMode must be LUCKY or FIXED");
    }
    shareAllowance(p, errors);
    if (errors.isEmpty()) {
      BigInteger bigCount = BigInteger.valueOf(count);
      BigInteger leastPayout = bigCount.multiply(BigInteger.valueOf(min));
      BigInteger mostPayout = bigCount.multiply(BigInteger.valueOf(max));
      if (leastPayout.compareTo(BigInteger.valueOf(total)) > 0) {
        errors.add("impossible pool: totalCount x minCents = " + leastPayout + " cents exceeds totalCents = " + total
            + "; lower minCents or totalCount, or raise totalCents");
      }
      if (mostPayout.compareTo(BigInteger.valueOf(total)) < 0) {
        errors.add("impossible pool: totalCount x maxCents = " + mostPayout + " cents is below totalCents = " + total
            + "; the budget could never be paid out: raise maxCents or totalCount, or lower totalCents");
      }
      if (p.getSplitMode() == SplitMode.FIXED && errors.isEmpty() && total % count != 0) {
        errors.add("fixed split needs totalCents (" + total + ") divisible by totalCount (" + count
            + ") so every packet is equal; nearest valid totals: " + (total / count) * count + " or " + (total / count + 1) * count);
      }
    }
    return errors;
  }

  /** The optional share allowance: a group packet of shareCents in sharePieces pieces, at least a cent each. */
  private static void shareAllowance(PoolDefinition p, List<String> errors) {
    long cents = p.getShareCents();
    int pieces = p.getSharePieces();
    if (cents == 0 && pieces == 0) {
      return;
    }
    if (cents < 1 || cents > MAX_SHARE_CENTS) {
      errors.add("shareCents must be 0 (no sharing) or between 1 and " + MAX_SHARE_CENTS + ", was " + cents);
    }
    if (pieces < 1 || pieces > Sharing.MAX_PIECES) {
      errors.add("sharePieces must be between 1 and " + Sharing.MAX_PIECES + " when shareCents is set, was " + pieces);
    } else if (cents >= 1 && cents < pieces) {
      errors.add("shareCents (" + cents + ") must be at least sharePieces (" + pieces + "): every piece needs a cent");
    }
  }

  /** A set's share of the pool: its packet count and cents. */
  public record SetBudget(long count, long cents) {}

  /**
   * Splits count and cents over the sets: counts as evenly as possible, and cents so each set
   * holds its count times min plus its proportional share of the rest, never above count times
   * max. The sums equal the pool's exactly.
   */
  public static SetBudget[] setBudgets(PoolDefinition p) {
    int sets = p.getSets();
    long count = p.getTotalCount();
    long[] counts = new long[sets];
    for (int i = 0; i < sets; i++) {
      counts[i] = count / sets + (i < count % sets ? 1 : 0);
    }
    long[] cents = new long[sets];
    if (p.getSplitMode() == SplitMode.FIXED) {
      long each = p.getTotalCents() / count;
      for (int i = 0; i < sets; i++) {
        cents[i] = counts[i] * each;
      }
    } else {
      long min = p.getMinCents();
      long max = p.getMaxCents();
      long extra = p.getTotalCents() - count * min;
      long given = 0;
      for (int i = 0; i < sets; i++) {
        long share = BigInteger.valueOf(extra).multiply(BigInteger.valueOf(counts[i]))
            .divide(BigInteger.valueOf(count)).longValueExact();
        cents[i] = counts[i] * min + share;
        given += share;
      }
      long left = extra - given; // fewer than `sets` cents, from rounding down
      for (int i = 0; i < sets && left > 0; i++) {
        if (cents[i] < SplitRule.saturatingMultiply(counts[i], max)) {
          cents[i]++;
          left--;
        }
      }
      if (left != 0) {
        throw new IllegalStateException("cannot place " + left + " cents of pool " + p.getPoolId());
      }
    }
    SetBudget[] result = new SetBudget[sets];
    for (int i = 0; i < sets; i++) {
      result[i] = new SetBudget(counts[i], cents[i]);
    }
    return result;
  }

  public static SetBudget setBudget(PoolDefinition p, int setId) {
    return setBudgets(p)[setId];
  }
}
