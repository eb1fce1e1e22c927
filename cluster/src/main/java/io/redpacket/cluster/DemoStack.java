package io.redpacket.cluster;

/** Where the demo's wave runs: the embedded local stack, or a deployment on `./redpacket cluster`. */
public interface DemoStack extends AutoCloseable {
  String bootstrap();

  /** Prefix of every topic the wave uses ("" for the local stack's own broker). */
  String topicPrefix();

  String webUi();

  @Override
  void close();
}
