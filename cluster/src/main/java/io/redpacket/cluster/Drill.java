package io.redpacket.cluster;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Failures and operations played against the cluster while a wave runs, on a thread of their own:
 * <ul>
 *   <li>chaos: kill -9 a TaskManager, bring it back, wait until every job has recovered (running,
 *       with a new completed checkpoint); three times, with one Kafka broker killed the same way
 *       between the second and third;
 *   <li>rescale: stop every job with a savepoint and resume it at each parallelism in turn.
 * </ul>
 * Each step is printed with its time; {@link #await} says whether all of them went through.
 */
public final class Drill implements Runnable {
  private static final Duration RECOVERY = Duration.ofMinutes(4);

  private final Cluster cluster;
  private final Deployment jobs;
  private final List<Step> steps;
  private final PrintStream out;
  private final long t0 = System.nanoTime();
  private final Thread thread = new Thread(this, "drill");
  private volatile Throwable failure;
  private final List<String> done = new ArrayList<>();

  private interface Step {
    void run() throws Exception;
  }

  private Drill(Cluster cluster, Deployment jobs, PrintStream out) {
    this.cluster = cluster;
    this.jobs = jobs;
    this.out = out;
    this.steps = new ArrayList<>();
  }

  /** Three TaskManager kills and one broker kill, each followed by its recovery. */
  public static Drill chaos(Cluster cluster, Deployment jobs, Duration firstAfter, PrintStream out) {
    Drill d = new Drill(cluster, jobs, out);
    d.steps.add(() -> Thread.sleep(firstAfter.toMillis()));
    d.steps.add(() -> d.killAndRecover("taskmanager-1"));
    d.steps.add(() -> d.killAndRecover("taskmanager-2"));
    d.steps.add(() -> d.killAndRecover("kafka-2"));
    d.steps.add(() -> d.killAndRecover("taskmanager-1"));
    return d;
  }

  /** Stop with savepoints and resume at each parallelism in turn. */
  public static Drill rescale(Cluster cluster, Deployment jobs, List<Integer> parallelisms, Duration firstAfter, PrintStream out) {
    Drill d = new Drill(cluster, jobs, out);
    d.steps.add(() -> Thread.sleep(firstAfter.toMillis()));
    for (int p : parallelisms) {
      d.steps.add(() -> d.rescaleTo(p));
    }
    return d;
  }

  public Drill start() {
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /** Waits for every step; false (with the reason printed) if one failed or it took longer than {@code bound}. */
  public boolean await(Duration bound) throws InterruptedException {
    thread.join(bound.toMillis());
    if (thread.isAlive()) {
      out.println("drill: not finished within " + bound.toSeconds() + " s; done so far: " + done);
      thread.interrupt(); // so it starts nothing more while the demo cancels its jobs
      thread.join(60_000);
      return false;
    }
    if (failure != null) {
      out.println("drill FAILED: " + failure.getMessage() + "; done before it: " + done);
      return false;
    }
    return true;
  }

  public List<String> done() {
    return List.copyOf(done);
  }

  @Override
  public void run() {
    try {
      for (Step s : steps) {
        s.run();
      }
    } catch (Throwable e) {
      failure = e;
    }
  }

  private void killAndRecover(String component) throws Exception {
    Map<String, Long> before = jobs.checkpointCounts();
    long k = System.nanoTime();
    if (!cluster.kill(component)) {
      throw new IllegalStateException(component + " was not running when its turn came");
    }
    say("kill -9 " + component);
    // Down for a moment, as a machine that reboots: the jobs restart on what is left meanwhile.
    Thread.sleep(3_000);
    cluster.restart(component, new PrintStream(java.io.OutputStream.nullOutputStream()));
    say(component + (component.startsWith("kafka") ? " is back" : " is starting again") + " (" + secondsSince(k)
        + " s after the kill)");
    jobs.awaitCheckpointed(before, RECOVERY);
    say("every job recovered: running, with a checkpoint completed after the kill (" + secondsSince(k) + " s after it)");
    done.add("kill -9 " + component);
  }

  private void rescaleTo(int parallelism) {
    long k = System.nanoTime();
    say("stopping every job with a savepoint ...");
    jobs.stop(out);
    jobs.resume(parallelism, out);
    jobs.awaitCheckpointed(Map.of(), RECOVERY);
    say("every job resumed from its savepoint at parallelism " + parallelism + " and checkpointed ("
        + secondsSince(k) + " s in all)");
    done.add("rescale to " + parallelism);
  }

  private void say(String what) {
    out.printf("  [drill %5.1f s] %s%n", (System.nanoTime() - t0) / 1e9, what);
  }

  private static String secondsSince(long t) {
    return String.format("%.1f", (System.nanoTime() - t) / 1e9);
  }
}
