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
 *       with a checkpoint triggered after the kill completed, see {@link Recovery}); twice, with one
 *       Kafka broker killed the same way between the two, then the JobManager, whose jobs
 *       are resumed from their retained checkpoints (no HA: the manual path of `jobs resume`). Each kill
 *       waits until the cluster is whole again (the process killed before back and registered, every
 *       partition's replicas in sync): one failure at a time;
 *   <li>rescale: stop every job with a savepoint and resume it at each parallelism in turn.
 * </ul>
 * Each step is printed with its time; {@link #await} says whether all of them went through.
 */
public final class Drill implements Runnable {
  private static final Duration RECOVERY = Duration.ofMinutes(4);
  private static final Duration SETTLE = Duration.ofMinutes(2);
  /** A checkpoint a second, each taking well under a second when nothing holds it up. */
  private static final double CHECKPOINT_PACE_SECONDS = 3.0;

  private final Cluster cluster;
  private final Deployment jobs;
  private final List<Step> steps;
  private final PrintStream out;
  private final long t0 = System.nanoTime();
  private final Thread thread = new Thread(this, "drill");
  private volatile Throwable failure;
  private final List<String> done = new ArrayList<>();
  private final List<Recovery.Result> recoveries = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The process the last kill took, once its recovery was measured (the drill runs on one thread). */
  private String lastKilled;

  private interface Step {
    void run() throws Exception;
  }

  private Drill(Cluster cluster, Deployment jobs, PrintStream out) {
    this.cluster = cluster;
    this.jobs = jobs;
    this.out = out;
    this.steps = new ArrayList<>();
  }

  /** Stands for the TaskManager that runs the most tasks when its turn comes (a kill of an idle one costs nothing). */
  public static final String BUSIEST_TASKMANAGER = "taskmanager";

  /** The processes the chaos drill kills, in order. */
  // Two TaskManager kills, not three as before: the third measured nothing new and cost CI a minute.
  public static final List<String> CHAOS = List.of(BUSIEST_TASKMANAGER, "kafka-2", BUSIEST_TASKMANAGER, "jobmanager");

  /** Two TaskManager kills, one broker kill and one JobManager kill, each followed by its recovery. */
  public static Drill chaos(Cluster cluster, Deployment jobs, Duration firstAfter, PrintStream out) {
    Drill d = new Drill(cluster, jobs, out);
    d.steps.add(() -> Thread.sleep(firstAfter.toMillis()));
    for (String process : CHAOS) {
      d.steps.add(() -> d.killAndRecover(process));
    }
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

  /** Each kill's recovery figures, in order. */
  public List<Recovery.Result> recoveries() {
    return List.copyOf(recoveries);
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

  private void killAndRecover(String process) throws Exception {
    PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
    try {
      long w = System.nanoTime();
      // The process killed before is back, and a broker has caught up: one failure at a time.
      int behind = cluster.awaitWhole(quiet);
      if (behind > 0) {
        say("the cluster is whole again: " + behind + " partitions' replicas caught up in " + secondsSince(w) + " s");
      }
    } finally {
      cluster.takeIncidents().forEach(this::say); // also when it gives up: each restart's cause, not only the last
    }
    awaitCheckpointing();
    String component = process.equals(BUSIEST_TASKMANAGER) ? busiestTaskManager() : process;
    long killMillis = System.currentTimeMillis();
    long k = System.nanoTime();
    if (!cluster.kill(component)) {
      throw new IllegalStateException(component + " was not running when its turn came");
    }
    say("kill -9 " + component);
    // Brought back on a thread of its own while the recovery is measured. Down for a moment first, as a
    // machine that reboots: the jobs restart on what is left meanwhile.
    java.util.concurrent.CompletableFuture<Void> back = java.util.concurrent.CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(3_000);
        cluster.restart(component, quiet);
        say(component + (component.startsWith("taskmanager") ? " is starting again" : " is back") + " ("
            + secondsSince(k) + " s after the kill)");
        if (component.equals("jobmanager")) {
          // No HA: the new JobManager knows no jobs. Each is resumed from its newest retained checkpoint.
          jobs.resume(jobs.parallelism(), out);
          say("every job resumed from its newest retained checkpoint (" + secondsSince(k) + " s after the kill)");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }, r -> new Thread(r, "drill-restart").start());
    Recovery.Result r;
    try {
      r = Recovery.await(cluster.rest(), jobs::jobNames, component, killMillis, RECOVERY);
    } finally {
      back.join();
      cluster.takeIncidents().forEach(this::say);
    }
    recoveries.add(r);
    lastKilled = component;
    say("every job recovered from the kill of " + component + ": " + r.describe());
    done.add("kill -9 " + component);
  }

  /**
   * Waits, bounded, until every job has completed a checkpoint triggered after now, so that each kill starts from a
   * pipeline that commits, not only from processes that answer: a broker started again joins its partitions' in-sync
   * replicas while still cold, and once in the drills the jobs' transactions stood still from before the next kill,
   * which was then measured with that stall in it. Says how long it took when it is more than the checkpoints' own
   * pace, as part of what the process back before cost.
   */
  private void awaitCheckpointing() {
    long since = System.currentTimeMillis();
    try {
      Recovery.Result r = Recovery.await(cluster.rest(), jobs::jobNames, "the cluster", since, SETTLE);
      if (r.recovered() > CHECKPOINT_PACE_SECONDS) {
        say(String.format(java.util.Locale.ROOT, "every job checkpointed again %.1f s after the cluster was whole%s",
            r.recovered(), lastKilled == null ? "" : " (held up while " + lastKilled + " came back)"));
      }
    } catch (IllegalStateException notWithin) {
      say("the jobs did not all checkpoint within " + SETTLE.toSeconds() + " s of the cluster being whole; going on: "
          + notWithin.getMessage());
    }
  }

  /** The TaskManager with the most slots in use (the first one on a tie). */
  private String busiestTaskManager() {
    return cluster.rest().usedSlots().entrySet().stream().filter(e -> cluster.components().contains(e.getKey()))
        .max(java.util.Comparator.comparingInt((Map.Entry<String, Integer> e) -> e.getValue())
            .thenComparing(Map.Entry::getKey, java.util.Comparator.reverseOrder()))
        .map(Map.Entry::getKey).orElse("taskmanager-1");
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
