package io.redpacket.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a cluster process that died left in its logs, said in a few lines: its last error and the causes. */
final class ProcessLogs {
  private ProcessLogs() {}

  /**
   * What a process that exited while starting left behind: where to read on, the errors and causes in
   * its log (the last lines alone are often the middle of a stack trace), and the last lines the JVM
   * itself printed ({@code out}: a JVM that cannot start writes only there).
   */
  static String ended(String what, Path log, Path out) {
    StringBuilder s = new StringBuilder(what + "; see " + log);
    try (var lines = Files.lines(log)) {
      List<String> all = lines.toList();
      List<String> shown = failureOfLastStart(all);
      s.append(shown.isEmpty() ? "; its last lines:" : "; its last error and its causes:");
      if (shown.isEmpty()) {
        shown = all.subList(Math.max(0, all.size() - 15), all.size());
      }
      shown.forEach(l -> s.append("\n    ").append(cut(l)));
    } catch (IOException | UncheckedIOException unreadable) {
      s.append(" (no log to show)");
    }
    if (out != null && Files.exists(out)) {
      try (var lines = Files.lines(out)) {
        List<String> all = lines.filter(l -> !l.isBlank()).toList();
        if (!all.isEmpty()) {
          s.append("\n  what the JVM printed last (").append(out.getFileName()).append("):");
          all.subList(Math.max(0, all.size() - 5), all.size()).forEach(l -> s.append("\n    ").append(cut(l)));
        }
      } catch (IOException | UncheckedIOException unreadable) {
        // the log above is the main source
      }
    }
    return s.toString();
  }

  /**
   * The first error of the last start logged with a stack trace: its line, the exception and every "Caused
   * by" (frames left out), at most 20 lines; then the first lines of the errors logged after it (at most 3).
   * Empty if there is none. The first, not the last: a process that failed to start can fail again on its
   * way out (once, a TaskManager whose RPC port was taken logged a {@code NoClassDefFoundError} from its
   * RPC system while it stopped), and that later trace is not why it died.
   */
  static List<String> failureOfLastStart(List<String> log) {
    // Only the last start counts: a restarted process appends to the log of the one killed before it.
    int from = 0;
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i).matches(".* Starting (TaskManager|StandaloneSessionClusterEntrypoint) \\(Version.*")) {
        from = i;
      }
    }
    int at = -1;
    for (int i = from; i + 1 < log.size() && at < 0; i++) {
      if (log.get(i).contains(" ERROR ") && !startsWithTime(log.get(i + 1))) {
        at = i;
      }
    }
    if (at < 0) {
      return List.of();
    }
    List<String> shown = new ArrayList<>(List.of(log.get(at)));
    int i = at + 1;
    for (; i < log.size() && !startsWithTime(log.get(i)); i++) {
      String l = log.get(i);
      if (!l.startsWith("\t") && !l.isBlank() && shown.size() < 20) {
        shown.add(l);
      }
    }
    log.subList(i, log.size()).stream().filter(l -> l.contains(" ERROR ")).limit(3).forEach(shown::add);
    return shown;
  }

  private static boolean startsWithTime(String line) {
    return line.length() > 4 && Character.isDigit(line.charAt(0)) && Character.isDigit(line.charAt(3));
  }

  private static String cut(String line) {
    return line.length() <= 400 ? line : line.substring(0, 400) + " ...";
  }
}
