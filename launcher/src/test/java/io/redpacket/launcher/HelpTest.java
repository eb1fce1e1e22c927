package io.redpacket.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command and subcommand answers --help: usage text and exit code 0. */
class HelpTest {
  @Test
  void everyCommandPathAnswersHelp() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.cli(), new ArrayList<>(), paths);
    assertThat(paths).extracting(p -> String.join(" ", p))
        .contains("", "cluster", "cluster up", "jobs resume", "bench allocation", "bench latency", "stack up", "pool create", "demo");
    // picocli formats descriptions: a bare % makes it warn on stderr and print the raw text.
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(warnings, true));
    try {
      for (List<String> path : paths) {
        help(path);
      }
    } finally {
      System.setErr(stderr);
    }
    assertThat(warnings.toString()).as("picocli's warnings while printing every --help").doesNotContain("picocli WARN");
  }

  private static void help(List<String> path) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.cli();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> args = new ArrayList<>(path);
    args.add("--help");
    int code = cli.execute(args.toArray(String[]::new));
    assertThat(code).as("./redpacket %s --help: %s", String.join(" ", path), err).isZero();
    assertThat(out.toString()).as("./redpacket %s --help", String.join(" ", path)).contains("Usage: redpacket");
  }

  /** The flags scripts/cluster-drills and .ci/run pass still parse (the options moved into mixins). */
  @Test
  void theScriptsFlagsParse() {
    List<String> wave = List.of("--direct", "--shakes", "60000", "--users", "20000", "--packets", "3000", "--budget-cents",
        "3000000", "--rate", "1500", "--expiry-seconds", "60", "--share-expiry-seconds", "30");
    List<List<String>> lines = List.of(List.of("cluster", "up", "--data-dir", "d", "--no-jobs"),
        List.of("cluster", "down", "--data-dir", "d"), List.of("cluster", "status", "--data-dir", "d"),
        concat(List.of("demo", "--cluster", "--cluster-dir", "d", "--chaos"), wave),
        concat(List.of("demo", "--cluster", "--cluster-dir", "d", "--rescale", "4,2"), wave),
        List.of("demo", "--shakes", "40000", "--users", "16000", "--packets", "2000", "--budget-cents", "2000000",
            "--expiry-seconds", "30"));
    for (List<String> line : lines) {
      assertThat(Main.cli().parseArgs(line.toArray(String[]::new)).errors()).as(String.join(" ", line)).isEmpty();
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static void collect(CommandLine cmd, List<String> path, List<List<String>> paths) {
    paths.add(List.copyOf(path));
    // A command registered under several names (e.g. an alias) is walked once, by its name.
    cmd.getSubcommands().forEach((name, sub) -> {
      if (name.equals(sub.getCommandName())) {
        List<String> next = new ArrayList<>(path);
        next.add(name);
        collect(sub, next, paths);
      }
    });
  }
}
