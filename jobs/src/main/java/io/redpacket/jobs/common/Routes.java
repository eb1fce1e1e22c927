package io.redpacket.jobs.common;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.util.OutputTag;

/**
 * Which of an operator's outputs go to which topic: its main output always, side outputs by their tag. A side
 * output without a route stays a side output (e.g. records shuffled on to another operator of the job).
 */
public final class Routes implements Serializable {
  private static final long serialVersionUID = 1L;
  final Route main;
  final Map<String, Route> side = new LinkedHashMap<>();

  private Routes(Route main) {
    this.main = main;
  }

  /** The main output's route. */
  public static Routes main(Route main) {
    return new Routes(main);
  }

  /** Adds a side output's route. */
  public Routes and(OutputTag<?> tag, Route route) {
    side.put(tag.getId(), route);
    return this;
  }
}
