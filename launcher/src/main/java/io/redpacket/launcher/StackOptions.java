package io.redpacket.launcher;

import picocli.CommandLine.Option;

/** Where the pipeline's topics are: shared by the commands that talk to a running stack. */
public class StackOptions {
  @Option(names = "--bootstrap", description = "Kafka bootstrap servers of a running stack (see: ./redpacket stack up)",
      required = true)
  String bootstrap;

  @Option(names = "--topic-prefix", description = "prefix of every topic name (default: none)", defaultValue = "")
  String topicPrefix;
}
