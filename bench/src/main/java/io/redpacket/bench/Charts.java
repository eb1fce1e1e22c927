package io.redpacket.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

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
}
