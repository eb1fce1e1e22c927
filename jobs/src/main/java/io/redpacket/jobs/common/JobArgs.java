package io.redpacket.jobs.common;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.util.ParameterTool;

/** Command-line arguments of a job: known flags only, with errors that say what to pass. */
public final class JobArgs {
  private static final String NO_VALUE = "__NO_VALUE_KEY"; // what ParameterTool stores for a bare flag
  private final ParameterTool params;
  private final String usage;

  public JobArgs(String[] args, Map<String, String> flagsWithHelp) {
    StringBuilder u = new StringBuilder("flags:\n");
    flagsWithHelp.forEach((k, v) -> u.append("  --").append(k).append("  ").append(v).append('\n'));
    this.usage = u.toString();
    try {
      this.params = ParameterTool.fromArgs(args);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + "\n" + usage, e);
    }
    Set<String> unknown = new TreeSet<>(params.toMap().keySet());
    unknown.removeAll(flagsWithHelp.keySet());
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown flag(s) " + unknown + "\n" + usage);
    }
  }

  public String required(String flag) {
    String v = params.get(flag);
    if (v == null || v.isBlank() || v.equals(NO_VALUE)) {
      throw new IllegalArgumentException("--" + flag + " is required\n" + usage);
    }
    return v;
  }

  public String get(String flag, String fallback) {
    String v = params.get(flag);
    return v == null || v.equals(NO_VALUE) ? fallback : v;
  }

  public boolean flag(String flag) {
    String v = params.get(flag);
    if (v == null) {
      return false;
    }
    if (v.equals(NO_VALUE) || v.equals("true")) {
      return true;
    }
    if (v.equals("false")) {
      return false;
    }
    throw new IllegalArgumentException("--" + flag + " takes true or false, not '" + v + "'");
  }

  public long positiveLong(String flag, long fallback, long max) {
    String v = params.get(flag);
    if (v == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v);
      if (n < 1 || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + flag + " must be a whole number from 1 to " + max + ", not '" + v + "'");
    }
  }
}
