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
  public static String count(long n) {
    return String.format("%,d", n);
  }

  public static String money(long cents) {
    String sign = cents < 0 ? "-" : "";
    long abs = Math.abs(cents);
    return sign + String.format("%,d.%02d", abs / 100, abs % 100);
  }
}
