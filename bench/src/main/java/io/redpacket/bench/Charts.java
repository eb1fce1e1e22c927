package io.redpacket.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The benchmarks' charts, drawn with JFreeChart. */
final class Charts {
  private Charts() {}

  /** A bar chart of each round's rate, job beside pass-through, the warm-up round included and marked. */
  static void rates(Path png, String job, String unit, List<BenchSupport.Run> runs) throws IOException {
    System.setProperty("java.awt.headless", "true");
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (BenchSupport.Run r : runs) {
      String round = r.round() < 1 ? "warm-up" : "round " + r.round();
      data.addValue(r.perSecond(), r.job(), round);
    }
    JFreeChart chart = ChartFactory.createBarChart(job + " against its pass-through, per round", "round",
        unit + " per second", data, PlotOrientation.VERTICAL, true, false, false);
    if (png.toAbsolutePath().getParent() != null) {
      Files.createDirectories(png.toAbsolutePath().getParent());
    }
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 500);
  }

  /** Shake-to-outcome percentiles (ms, log scale) against the offered rate of each open-loop step. */
  static void latency(Path png, List<LatencyBench.Step> steps) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection data = new XYSeriesCollection();
    for (double p : new double[] {50, 99, 99.9}) {
      XYSeries s = new XYSeries("p" + (p == Math.rint(p) ? String.valueOf((int) p) : String.valueOf(p)));
      for (LatencyBench.Step step : steps) {
        s.add(step.offered(), Math.max(0.1, step.latency().getValueAtPercentile(p) / 1e6));
      }
      data.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart("Shake to outcome through the allocation job, open loop",
        "offered shakes per second", "latency, ms (log scale)", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setRangeAxis(new LogarithmicAxis("latency, ms (log scale)"));
    if (png.toAbsolutePath().getParent() != null) {
      Files.createDirectories(png.toAbsolutePath().getParent());
    }
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 500);
  }
}
