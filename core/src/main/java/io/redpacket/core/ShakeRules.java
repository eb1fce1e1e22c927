package io.redpacket.core;

import io.redpacket.avro.Shake;
import java.util.ArrayList;
import java.util.List;

/**
 * Bounds on a shake's fields, checked before allocation (a shake that fails them is a dead
 * letter, not an outcome). The pool-specific checks (set, window) are the allocator's.
 */
public final class ShakeRules {
  public static final int MAX_ID_LENGTH = 128;

  private ShakeRules() {}

  public static List<String> validate(Shake s) {
    List<String> errors = new ArrayList<>();
    checkId(errors, "shakeId", s.getShakeId());
    checkId(errors, "userId", s.getUserId());
    checkId(errors, "poolId", s.getPoolId());
    if (s.getSetId() < 0 || s.getSetId() >= PoolRules.MAX_SETS) {
      errors.add("setId must be from 0 to " + (PoolRules.MAX_SETS - 1) + ", was " + s.getSetId());
    }
    if (s.getDevice() != null && s.getDevice().length() > MAX_ID_LENGTH) {
      errors.add("device is longer than " + MAX_ID_LENGTH + " characters");
    }
    return errors;
  }

  private static void checkId(List<String> errors, String name, String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_ID_LENGTH) {
      errors.add(name + " must be 1-" + MAX_ID_LENGTH + " characters");
    }
  }
}
