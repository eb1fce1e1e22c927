package io.redpacket.launcher;

import io.redpacket.cluster.Cluster;
import io.redpacket.cluster.PipelineJobs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.internal.TableResultImpl;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sql", mixinStandardHelpOptions = true, description = "Flink SQL over every topic: sql/tables.sql declares"
    + " them (format 'redpacket-avro'). Without --execute, a SQL shell with those tables loaded; with --execute, runs a"
    + " file or a statement and prints the results.")
final class SqlCommand implements Callable<Integer> {
  @Option(names = "--bootstrap", description = "Kafka bootstrap servers of the local stack (default: ${DEFAULT-VALUE});"
      + " with --cluster, the cluster's", defaultValue = "127.0.0.1:9092")
  String bootstrap;

  @Option(names = "--topic-prefix", description = "prefix of every topic name (default: none)", defaultValue = "")
  String topicPrefix;

  @ArgGroup(exclusive = false, heading = "On the cluster (./redpacket cluster up):%n")
  OnCluster cluster;

  static final class OnCluster {
    @Option(names = "--cluster", required = true, description = "run the queries on the cluster's Flink and read its brokers")
    boolean enabled;

    @Option(names = "--data-dir", defaultValue = ".redpacket/cluster", description = "the cluster's folder (default: ${DEFAULT-VALUE})")
    Path dataDir;
  }

  @Option(names = "--tables", description = "the table declarations (default: sql/tables.sql of this checkout)")
  Path tables;

  @Option(names = "--bounded", description = "tables end at the offsets latest when the query starts, so a"
      + " query ends with its final answer; without it they are live streams")
  boolean bounded;

  @Option(names = {"-e", "--execute"}, description = "a file of statements, or one statement, to run instead of the"
      + " interactive client")
  String execute;

  @Override
  public Integer call() throws Exception {
    Configuration conf = new Configuration();
    String kafka = bootstrap;
    if (cluster != null) {
      Cluster c = Cluster.open(cluster.dataDir, null);
      kafka = c.bootstrap();
      conf.setString("execution.target", "remote");
      conf.setString("rest.address", "127.0.0.1");
      conf.setString("rest.port", String.valueOf(c.settings.restPort()));
      // The jobs' shaded jar carries the Kafka connector and the format to the cluster.
      conf.setString("pipeline.jars", PipelineJobs.defaultJar().toAbsolutePath().toUri().toString());
    }
    String declarations = render(tables != null ? tables : PipelineJobs.home().resolve("sql/tables.sql"), kafka, topicPrefix,
        bounded);
    // Streaming mode even --bounded: batch mode cannot read the upsert tables of the compacted topics.
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.newInstance().withConfiguration(conf).build());
    for (String statement : statements(declarations)) {
      run(env, statement);
    }
    if (execute == null) {
      return shell(env);
    }
    String script = Files.isRegularFile(Path.of(execute)) ? Files.readString(Path.of(execute)) : execute;
    for (String statement : statements(script)) {
      System.out.println("Flink SQL> " + statement.strip());
      run(env, statement).print();
    }
    return 0;
  }

  /**
   * A small shell on the table environment: statements end with ';', results are printed as tables.
   * (Flink's own SQL client is not published for 2.2.1 on Maven Central, and 2.2.0's does not resolve.)
   */
  private static int shell(TableEnvironment env) throws IOException {
    java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
        java.nio.charset.StandardCharsets.UTF_8));
    System.out.println("Every topic is a table (SHOW TABLES; DESCRIBE ledger;). End statements with ';', quit with"
        + " QUIT; or Ctrl-D. A query on live tables runs until Ctrl-C; --bounded makes them end.");
    StringBuilder pending = new StringBuilder();
    System.out.print("Flink SQL> ");
    System.out.flush();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      pending.append(line).append('\n');
      if (line.strip().endsWith(";")) {
        for (String statement : statements(pending.toString())) {
          if (statement.equalsIgnoreCase("quit") || statement.equalsIgnoreCase("exit")) {
            return 0;
          }
          try {
            run(env, statement).print();
          } catch (RuntimeException e) {
            System.out.println("[ERROR] " + rootMessage(e));
          }
        }
        pending.setLength(0);
        System.out.print("Flink SQL> ");
      } else {
        System.out.print("        > ");
      }
      System.out.flush();
    }
    return 0;
  }

  private static String rootMessage(Throwable e) {
    StringBuilder m = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      m.append("\n  caused by: ").append(c.getMessage());
    }
    return m.toString();
  }

  private static final java.util.regex.Pattern SET =
      java.util.regex.Pattern.compile("(?is)SET\\s+'([^']+)'\\s*=\\s*'([^']*)'");

  /** One statement; SET 'key' = 'value' (which the SQL client knows, the table environment not) sets the configuration. */
  static TableResult run(TableEnvironment env, String statement) {
    var set = SET.matcher(statement.strip());
    if (set.matches()) {
      env.getConfig().getConfiguration().setString(set.group(1), set.group(2));
      return TableResultImpl.TABLE_RESULT_OK;
    }
    return env.executeSql(statement);
  }

  /** The declarations with the stack's bootstrap servers, topic prefix and boundedness filled in. */
  static String render(Path file, String bootstrap, String prefix, boolean bounded) {
    try {
      return Files.readString(file).replace("${bootstrap}", bootstrap).replace("${prefix}", prefix)
          .replace("${bounded}", bounded ? "'scan.bounded.mode' = 'latest-offset'," : "");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the table declarations " + file, e);
    }
  }

  /** Statements of a script: split at semicolons outside quotes, without comment lines and blank ones. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      if (line.strip().startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
    }
    String text = current.toString();
    StringBuilder s = new StringBuilder();
    char quote = 0;
    for (char ch : text.toCharArray()) {
      if (quote != 0) {
        if (ch == quote) {
          quote = 0;
        }
      } else if (ch == '\'' || ch == '`') {
        quote = ch;
      } else if (ch == ';') {
        if (!s.toString().isBlank()) {
          out.add(s.toString().strip());
        }
        s.setLength(0);
        continue;
      }
      s.append(ch);
    }
    if (!s.toString().isBlank()) {
      out.add(s.toString().strip());
    }
    return out;
  }
}
