package io.redpacket.core;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns, for terminals and closing notes. */
public final class Table {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... headers) {
    this.headers = List.of(headers);
  }

  public Table row(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object c : cells) {
      row.add(String.valueOf(c));
    }
    rows.add(row);
    return this;
  }

  public String render() {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> r : rows) {
        widths[i] = Math.max(widths[i], r.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, widths);
    cells(sb, headers, widths);
    line(sb, widths);
    for (List<String> r : rows) {
      cells(sb, r, widths);
    }
    line(sb, widths);
    return sb.toString();
  }

  private static void line(StringBuilder sb, int[] widths) {
    sb.append('+');
    for (int w : widths) {
      sb.append("-".repeat(w + 2)).append('+');
    }
    sb.append('\n');
  }

  private static void cells(StringBuilder sb, List<String> cells, int[] widths) {
    sb.append('|');
    for (int i = 0; i < widths.length; i++) {
      String c = cells.get(i);
      boolean numeric = c.matches("-?[0-9][0-9,.]*%?");
      String pad = " ".repeat(widths[i] - c.length());
      sb.append(' ').append(numeric ? pad + c : c + pad).append(" |");
    }
    sb.append('\n');
  }

  /** Cents as currency units with two decimals, e.g. 100000000 -> "1,000,000.00". */
  /** A count with thousands separators. */
  /** {@code n} with a comma between each three digits, whatever the JVM's default locale. */
  public static String count(long n) {
    StringBuilder out = new StringBuilder(27);
    grouped(out, n);
    return out.toString();
  }

  /**
   * An amount of cents as the HTTP API and the tables show it: {@code 1,234.56}, {@code -0.05}. The same whatever the
   * JVM's default locale (it was {@code String.format}'s, so a German one answered {@code "amount":"12,34"}), and
   * without a {@link java.util.Formatter}, which the ingest paid on every answer.
   */
  public static String money(long cents) {
    StringBuilder out = new StringBuilder(28);
    // Units and cents apart before taking the sign: no magnitude overflows, Long.MIN_VALUE included.
    long units = cents / 100;
    int rest = (int) Math.abs(cents % 100);
    if (cents < 0 && units == 0) {
      out.append('-');
    }
    grouped(out, units);
    return out.append('.').append((char) ('0' + rest / 10)).append((char) ('0' + rest % 10)).toString();
  }

  private static void grouped(StringBuilder out, long n) {
    String digits = Long.toString(n);
    int start = n < 0 ? 1 : 0;
    out.append(digits, 0, start);
    int length = digits.length() - start;
    for (int i = 0; i < length; i++) {
      if (i > 0 && (length - i) % 3 == 0) {
        out.append(',');
      }
      out.append(digits.charAt(start + i));
    }
  }
}
