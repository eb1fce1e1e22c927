package io.redpacket.cluster;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's processes as the operating system sees them: started detached (they outlive the
 * command), found again by the marker on their command line, stopped or killed.
 */
final class Processes {
  /** The processes this JVM started, by marker. */
  private static final Map<String, ProcessHandle> STARTED = new ConcurrentHashMap<>();

  private Processes() {}

  /**
   * The live process whose command line carries {@code marker} as a whole argument. One this JVM
   * started is known by its handle: for a moment while setsid hands over to the command its command
   * line cannot be read, and a search then misses it (1 to 5 times in 100 right after the start), which
   * once made the drill report a JobManager it had just started as "exited while starting".
   */
  static Optional<ProcessHandle> find(String marker) {
    ProcessHandle mine = STARTED.get(marker);
    if (mine != null && mine.isAlive()) {
      return Optional.of(mine);
    }
    return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(cmd -> cmd.contains(marker + " ") || cmd.endsWith(marker)).orElse(false))
        .findFirst();
  }

  /** Remembers a process this JVM started with {@code marker} on its command line. */
  static void started(String marker, Process process) {
    STARTED.put(marker, process.toHandle());
  }

  /**
   * Starts {@code command}, which carries {@code marker}, in its own session, output appended to
   * {@code dir/log/<name>.out}.
   */
  static void launchDetached(Path dir, String name, String marker, List<String> command) {
    try {
      Files.createDirectories(dir.resolve("log"));
      List<String> cmd = new ArrayList<>();
      if (new File("/usr/bin/setsid").canExecute()) {
        cmd.add("/usr/bin/setsid"); // its own session: a Ctrl-C in this terminal does not reach it
      }
      cmd.addAll(command);
      started(marker, new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log/" + name + ".out").toFile())).start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /** SIGTERM to all at once (Kafka's controlled shutdown, Flink's hooks), then each is waited for; killed after 60 s. */
  static void stopAll(Map<String, ProcessHandle> running, PrintStream out) {
    running.values().forEach(ProcessHandle::destroy);
    running.forEach((name, p) -> {
      try {
        p.onExit().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        kill(p);
        out.println("  " + name + " did not stop within 60 s; killed it");
      }
      out.println("  stopped " + name);
    });
  }

  /** kill -9, and a bounded wait for it to be gone. */
  static void kill(ProcessHandle p) {
    p.destroyForcibly();
    try {
      p.onExit().get(20, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // reported by the next status
    }
  }
}
