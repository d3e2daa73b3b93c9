package org.edgefront.jobs.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import org.edgefront.jobs.results.SearchDirectory.Budget;
import org.edgefront.jobs.results.SearchDirectory.EvaluatedPoint;
import org.edgefront.jobs.results.SearchDirectory;
import org.edgefront.jobs.results.Units;
import org.edgefront.space.metric.Metric;

/**
 * One inline SVG scatter plot of a quality metric (y) against a cost metric (x): every evaluation faint,
 * infeasible ones as crosses, front points highlighted, the 2-D Pareto staircase of the feasible points,
 * and a dashed line with the infeasible side shaded for each budget on either axis. Axes switch to a log
 * scale when the values span more than a factor of {@value #LOG_SPAN}. Pure function of its inputs.
 */
final class ScatterPlot {
    static final double LOG_SPAN = 20;
    /** Above this many evaluations the faint points carry no tooltip, to keep the file small. */
    static final int MAX_TOOLTIPS = 3000;

    private static final int W = 640;
    private static final int H = 400;
    private static final int LEFT = 78;
    private static final int RIGHT = 24;
    private static final int TOP = 34;
    private static final int BOTTOM = 56;

    private ScatterPlot() {}

    /** An axis: domain, scale and tick positions. */
    record Axis(Metric metric, double lo, double hi, boolean log, int pixelLo, int pixelHi) {
        /** True when {@code v} lies inside the axis domain. */
        boolean contains(double v) { return v >= lo && v <= hi; }

        /** Ticks fall on round numbers of this unit: a power of 1024 for bytes (so 64 MiB, not 67.1 MB), else 1. */
        double tickUnit() {
            if (!metric.unit().equals("bytes")) return 1;
            double u = 1;
            while (hi / u >= 1024) u *= 1024;
            return u;
        }

        double px(double v) {
            double t = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
            return pixelLo + t * (pixelHi - pixelLo);
        }

        List<Double> ticks() {
            double u = tickUnit();
            List<Double> out = new ArrayList<>();
            for (double t : ticksIn(lo / u, hi / u)) out.add(t * u);
            return out;
        }

        private List<Double> ticksIn(double lo, double hi) {
            List<Double> out = new ArrayList<>();
            if (log) {
                int e0 = (int) Math.floor(Math.log10(lo));
                int e1 = (int) Math.ceil(Math.log10(hi));
                int decades = e1 - e0;
                double[] mult = decades <= 1 ? new double[] {1, 2, 3, 5} : decades <= 3 ? new double[] {1, 2, 5} : new double[] {1};
                for (int e = e0; e <= e1; e++) {
                    for (double m : mult) {
                        double v = m * Math.pow(10, e);
                        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.add(v);
                    }
                }
                if (out.size() < 2) return linearTicks(lo, hi);
                return out;
            }
            return linearTicks(lo, hi);
        }

        private static List<Double> linearTicks(double lo, double hi) {
            double raw = (hi - lo) / 5;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = mag * (raw / mag < 1.5 ? 1 : raw / mag < 3 ? 2 : raw / mag < 7 ? 5 : 10);
            List<Double> out = new ArrayList<>();
            for (double v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.add(Math.abs(v) < step * 1e-9 ? 0 : v);
            return out;
        }

        static Axis fit(Metric m, List<Double> values, int pixelLo, int pixelHi) {
            double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
            boolean log = min > 0 && max / min >= LOG_SPAN;
            if (log) {
                double a = Math.log10(min);
                double b = Math.log10(max);
                double pad = (b - a) * 0.06;
                return new Axis(m, Math.pow(10, a - pad), Math.pow(10, b + pad), true, pixelLo, pixelHi);
            }
            if (max == min) {
                double d = max == 0 ? 1 : Math.abs(max) * 0.1;
                min -= d;
                max += d;
            }
            double pad = (max - min) * 0.06;
            double lo = min - pad;
            // a non-negative quantity keeps a non-negative axis
            if (min >= 0 && lo < 0) lo = 0;
            return new Axis(m, lo, max + pad, false, pixelLo, pixelHi);
        }
    }

    /**
     * @param x        cost metric (horizontal)
     * @param y        quality metric (vertical)
     * @param points   every evaluation (front points included)
     * @param front    the front, in front order
     * @param budgets  the run's budgets (those on x or y are drawn)
     * @param selected id of the point ringed by default
     * @param synthetic mark the plot "SYNTHETIC weights"
     * @param cssClass extra class of the svg element
     */
    static String svg(Metric x, Metric y, List<EvaluatedPoint> points, List<EvaluatedPoint> front, List<Budget> budgets,
                      String selected, boolean synthetic, String cssClass) {
        return svg(x, y, points, front, budgets, selected, synthetic, cssClass, List.of());
    }

    /** As above, with labelled reference points (uncompressed, uniform formats, llama.cpp mixes) drawn as diamonds. */
    static String svg(Metric x, Metric y, List<EvaluatedPoint> points, List<EvaluatedPoint> front, List<Budget> budgets,
                      String selected, boolean synthetic, String cssClass, List<org.edgefront.jobs.run.Baselines.Point> baselines) {
        List<org.edgefront.jobs.run.Baselines.Point> refs = baselines.stream()
                .filter(r -> r.metrics().containsKey(x) && r.metrics().containsKey(y) && Double.isFinite(r.metrics().get(x))
                        && Double.isFinite(r.metrics().get(y))).toList();
        StringBuilder b = new StringBuilder();
        b.append("<svg class=\"plot ").append(cssClass).append("\" data-x=\"").append(x.jsonName()).append("\" data-y=\"")
                .append(y.jsonName()).append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" role=\"img\" aria-label=\"").append(Html.esc(y.jsonName() + " against " + x.jsonName())).append("\">");
        List<EvaluatedPoint> both = points.stream().filter(p -> p.metric(x).isPresent() && p.metric(y).isPresent()).toList();
        List<EvaluatedPoint> frontBoth = front.stream().filter(p -> p.metric(x).isPresent() && p.metric(y).isPresent()).toList();
        Optional<Budget> bx = budgets.stream().filter(bb -> bb.metric() == x).findFirst();
        Optional<Budget> by = budgets.stream().filter(bb -> bb.metric() == y).findFirst();
        b.append("<text class=\"ptitle\" x=\"").append(LEFT).append("\" y=\"20\">").append(Html.esc(ReportWriter.title(y)))
                .append(" vs ").append(Html.esc(ReportWriter.title(x))).append("</text>");
        if (synthetic) {
            b.append("<text class=\"synthmark\" x=\"").append(W - RIGHT - 70).append("\" y=\"20\" text-anchor=\"end\">SYNTHETIC weights</text>");
        }
        if (both.isEmpty() && frontBoth.isEmpty()) {
            b.append("<rect class=\"frame\" x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(W - LEFT - RIGHT)
                    .append("\" height=\"").append(H - TOP - BOTTOM).append("\"/>");
            b.append("<text class=\"nodata\" x=\"").append((LEFT + W - RIGHT) / 2).append("\" y=\"").append((TOP + H - BOTTOM) / 2)
                    .append("\" text-anchor=\"middle\">not measured in this run</text>");
            bx.ifPresent(bb -> b.append("<text class=\"budget-label\" x=\"").append(LEFT + 6).append("\" y=\"").append(H - BOTTOM - 8)
                    .append("\">budget ").append(Html.esc(x.jsonName() + " " + bb.describe())).append(" (no data to draw against)</text>"));
            return b.append("</svg>").toString();
        }
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (EvaluatedPoint p : both) {
            xs.add(p.metric(x).getAsDouble());
            ys.add(p.metric(y).getAsDouble());
        }
        for (org.edgefront.jobs.run.Baselines.Point r : refs) {
            // a log axis cannot place 0 (the uncompressed model's KL): such a reference sits on the axis edge instead
            if (r.metrics().get(x) > 0) xs.add(r.metrics().get(x));
            if (r.metrics().get(y) > 0) ys.add(r.metrics().get(y));
        }
        // a budget far outside the data would squash every point into a sliver: then it is marked off scale instead
        bx.filter(bb -> near(xs, bb.bound())).ifPresent(bb -> xs.add(bb.bound()));
        by.filter(bb -> near(ys, bb.bound())).ifPresent(bb -> ys.add(bb.bound()));
        Axis ax = Axis.fit(x, xs, LEFT, W - RIGHT);
        Axis ay = Axis.fit(y, ys, H - BOTTOM, TOP);

        // grid and ticks
        b.append("<g class=\"grid\">");
        List<Double> xt = ax.ticks();
        List<String> xl = tickLabels(x, xt);
        for (int i = 0; i < xt.size(); i++) {
            double t = xt.get(i);
            double px = ax.px(t);
            b.append(line(px, TOP, px, H - BOTTOM, "gridline"));
            b.append("<text class=\"tick\" x=\"").append(f(px)).append("\" y=\"").append(H - BOTTOM + 16).append("\" text-anchor=\"middle\">")
                    .append(Html.esc(xl.get(i))).append("</text>");
        }
        List<Double> yt = ay.ticks();
        List<String> yl = tickLabels(y, yt);
        for (int i = 0; i < yt.size(); i++) {
            double t = yt.get(i);
            double py = ay.px(t);
            b.append(line(LEFT, py, W - RIGHT, py, "gridline"));
            b.append("<text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(f(py + 4)).append("\" text-anchor=\"end\">")
                    .append(Html.esc(yl.get(i))).append("</text>");
        }
        b.append("</g>");
        b.append("<rect class=\"frame\" x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(W - LEFT - RIGHT)
                .append("\" height=\"").append(H - TOP - BOTTOM).append("\"/>");
        b.append("<text class=\"axis\" x=\"").append((LEFT + W - RIGHT) / 2).append("\" y=\"").append(H - 14).append("\" text-anchor=\"middle\">")
                .append(Html.esc(ReportWriter.axisTitle(x) + (ax.log() ? " (log)" : ""))).append("</text>");
        b.append("<text class=\"axis\" transform=\"translate(16,").append((TOP + H - BOTTOM) / 2).append(") rotate(-90)\" text-anchor=\"middle\">")
                .append(Html.esc(ReportWriter.axisTitle(y) + (ay.log() ? " (log)" : ""))).append("</text>");
        // which corner is better
        boolean right = x.better() == Metric.Direction.MAXIMIZE;
        boolean up = y.better() == Metric.Direction.MAXIMIZE;
        b.append("<text class=\"better\" x=\"").append(W - RIGHT).append("\" y=\"20\" text-anchor=\"end\">")
                .append(up ? (right ? "better \u2197" : "\u2196 better") : (right ? "better \u2198" : "\u2199 better")).append("</text>");

        b.append("<svg x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(W - LEFT - RIGHT).append("\" height=\"")
                .append(H - TOP - BOTTOM).append("\" viewBox=\"").append(LEFT).append(' ').append(TOP).append(' ').append(W - LEFT - RIGHT)
                .append(' ').append(H - TOP - BOTTOM).append("\" overflow=\"hidden\">");
        bx.ifPresent(bb -> {
            if (ax.contains(bb.bound())) budgetX(b, ax, bb);
        });
        by.ifPresent(bb -> {
            if (ay.contains(bb.bound())) budgetY(b, ay, bb);
        });

        boolean tooltips = both.size() <= MAX_TOOLTIPS;
        b.append("<g class=\"evals\">");
        for (EvaluatedPoint p : both) {
            if (p.onFront()) continue;
            double px = ax.px(p.metric(x).getAsDouble());
            double py = ay.px(p.metric(y).getAsDouble());
            String tip = tooltips ? "<title>" + Html.esc(tip(p, x, y)) + "</title>" : "";
            if (p.failed()) {
                b.append("<path class=\"failed\" d=\"").append(cross(px, py, 4.5)).append("\">").append(tip).append("</path>");
            } else if (!p.feasible()) {
                b.append("<path class=\"infeasible\" d=\"").append(cross(px, py, 3.2)).append("\">").append(tip).append("</path>");
            } else {
                b.append("<circle class=\"eval\" cx=\"").append(f(px)).append("\" cy=\"").append(f(py)).append("\" r=\"3\">").append(tip).append("</circle>");
            }
        }
        b.append("</g>");

        String stair = staircase(both, x, y, ax, ay);
        if (!stair.isEmpty()) b.append("<path class=\"stair\" d=\"").append(stair).append("\"/>");

        b.append("<g class=\"baselines\">");
        for (org.edgefront.jobs.run.Baselines.Point r : refs) {
            double px = ax.px(Math.max(r.metrics().get(x), ax.lo()));
            double py = ay.px(Math.max(r.metrics().get(y), ay.lo()));
            b.append("<path class=\"baseline\" d=\"M").append(f(px)).append(',').append(f(py - 6)).append('L').append(f(px + 6)).append(',').append(f(py))
                    .append('L').append(f(px)).append(',').append(f(py + 6)).append('L').append(f(px - 6)).append(',').append(f(py)).append("Z\"><title>")
                    .append(Html.esc(r.label() + ": " + Units.format(y, r.metrics().get(y)) + ", " + Units.format(x, r.metrics().get(x))))
                    .append("</title></path><text class=\"baseline-label\" x=\"").append(f(px + 8)).append("\" y=\"").append(f(py - 6)).append("\">")
                    .append(Html.esc(r.label().replace("uniform ", "").replace("llama.cpp ", "").replace(" (uncompressed)", ""))).append("</text>");
        }
        b.append("</g>");
        b.append("<g class=\"front\">");
        for (EvaluatedPoint p : frontBoth) {
            double px = ax.px(p.metric(x).getAsDouble());
            double py = ay.px(p.metric(y).getAsDouble());
            b.append("<circle class=\"sel-ring\" data-id=\"").append(Html.esc(p.id())).append("\" cx=\"").append(f(px)).append("\" cy=\"").append(f(py))
                    .append("\" r=\"10\" visibility=\"").append(p.id().equals(selected) ? "visible" : "hidden").append("\"/>");
        }
        for (EvaluatedPoint p : frontBoth) {
            double px = ax.px(p.metric(x).getAsDouble());
            double py = ay.px(p.metric(y).getAsDouble());
            b.append("<circle class=\"").append(p.feasible() ? "fp" : "fp fp-infeasible").append("\" data-id=\"").append(Html.esc(p.id()))
                    .append("\" cx=\"").append(f(px)).append("\" cy=\"").append(f(py)).append("\" r=\"5.5\"><title>").append(Html.esc("front " + tip(p, x, y)))
                    .append("</title></circle>");
        }
        b.append("</g></svg>");
        bx.filter(bb -> !ax.contains(bb.bound())).ifPresent(bb -> offScaleX(b, ax, bb));
        by.filter(bb -> !ay.contains(bb.bound())).ifPresent(bb -> offScaleY(b, ay, bb));
        return b.append("</svg>").toString();
    }

    /**
     * True when including {@code bound} keeps the data legible: the extended range is at most
     * {@value #BUDGET_REACH} times the data's own range (in log space when the data spans decades).
     */
    static boolean near(List<Double> data, double bound) {
        double min = data.stream().mapToDouble(Double::doubleValue).min().orElse(bound);
        double max = data.stream().mapToDouble(Double::doubleValue).max().orElse(bound);
        boolean log = min > 0 && bound > 0 && max / min >= LOG_SPAN;
        double a = log ? Math.log10(min) : min;
        double c = log ? Math.log10(max) : max;
        double v = log ? Math.log10(bound) : bound;
        double span = c - a;
        if (span <= 0) return Math.abs(v - a) <= 0.5 * Math.max(Math.abs(a), 1e-12);
        return Math.max(c, v) - Math.min(a, v) <= BUDGET_REACH * span;
    }

    static final double BUDGET_REACH = 4;

    private static void offScaleX(StringBuilder b, Axis ax, Budget bb) {
        boolean beyondHi = bb.bound() > ax.hi();
        boolean allInside = beyondHi == bb.atMost();
        double px = beyondHi ? W - RIGHT : LEFT;
        b.append("<g class=\"budget-offscale\" data-metric=\"").append(bb.metric().jsonName()).append("\">");
        b.append("<path class=\"budget-arrow\" d=\"M").append(f(px + (beyondHi ? -10 : 10))).append(',').append(TOP + 6).append('L').append(f(px))
                .append(',').append(TOP + 12).append('L').append(f(px + (beyondHi ? -10 : 10))).append(',').append(TOP + 18).append("Z\"/>");
        b.append("<text class=\"budget-label\" x=\"").append(f(px + (beyondHi ? -14 : 14))).append("\" y=\"").append(TOP + 16)
                .append("\" text-anchor=\"").append(beyondHi ? "end" : "start").append("\">budget ")
                .append(Html.esc((bb.atMost() ? "\u2264 " : "\u2265 ") + Units.format(bb.metric(), bb.bound())))
                .append(beyondHi ? " \u2192" : "").append(" (off scale").append(allInside ? ", every point within" : "").append(")</text></g>");
    }

    private static void offScaleY(StringBuilder b, Axis ay, Budget bb) {
        boolean beyondHi = bb.bound() > ay.hi();
        boolean allInside = beyondHi == bb.atMost();
        double py = beyondHi ? TOP : H - BOTTOM;
        b.append("<g class=\"budget-offscale\" data-metric=\"").append(bb.metric().jsonName()).append("\">");
        b.append("<path class=\"budget-arrow\" d=\"M").append(W - RIGHT - 18).append(',').append(f(py + (beyondHi ? 10 : -10))).append('L')
                .append(W - RIGHT - 12).append(',').append(f(py)).append('L').append(W - RIGHT - 6).append(',').append(f(py + (beyondHi ? 10 : -10))).append("Z\"/>");
        b.append("<text class=\"budget-label\" x=\"").append(W - RIGHT - 22).append("\" y=\"").append(f(py + (beyondHi ? 12 : -4)))
                .append("\" text-anchor=\"end\">budget ").append(Html.esc((bb.atMost() ? "\u2264 " : "\u2265 ") + Units.format(bb.metric(), bb.bound())))
                .append(" (off scale").append(allInside ? ", every point within" : "").append(")</text></g>");
    }

    private static void budgetX(StringBuilder b, Axis ax, Budget bb) {
        double px = ax.px(bb.bound());
        // shade the infeasible side
        double x0 = bb.atMost() ? px : ax.pixelLo();
        double x1 = bb.atMost() ? ax.pixelHi() : px;
        b.append("<rect class=\"budget-zone\" x=\"").append(f(x0)).append("\" y=\"").append(TOP).append("\" width=\"").append(f(Math.max(0, x1 - x0)))
                .append("\" height=\"").append(H - TOP - BOTTOM).append("\"/>");
        b.append("<line class=\"budget\" data-metric=\"").append(bb.metric().jsonName()).append("\" x1=\"").append(f(px)).append("\" y1=\"").append(TOP)
                .append("\" x2=\"").append(f(px)).append("\" y2=\"").append(H - BOTTOM).append("\"/>");
        boolean labelLeft = px > (ax.pixelLo() + ax.pixelHi()) / 2.0;
        // at the bottom, clear of a horizontal budget's label at the top right
        b.append("<text class=\"budget-label\" x=\"").append(f(px + (labelLeft ? -5 : 5))).append("\" y=\"").append(H - BOTTOM - 8)
                .append("\" text-anchor=\"").append(labelLeft ? "end" : "start").append("\">budget ")
                .append(Html.esc((bb.atMost() ? "\u2264 " : "\u2265 ") + Units.format(bb.metric(), bb.bound()))).append("</text>");
    }

    private static void budgetY(StringBuilder b, Axis ay, Budget bb) {
        double py = ay.px(bb.bound());
        // pixel y grows downwards: an upper bound shades above the line
        double y0 = bb.atMost() ? TOP : py;
        double y1 = bb.atMost() ? py : H - BOTTOM;
        b.append("<rect class=\"budget-zone\" x=\"").append(LEFT).append("\" y=\"").append(f(y0)).append("\" width=\"").append(W - LEFT - RIGHT)
                .append("\" height=\"").append(f(Math.max(0, y1 - y0))).append("\"/>");
        b.append("<line class=\"budget\" data-metric=\"").append(bb.metric().jsonName()).append("\" x1=\"").append(LEFT).append("\" y1=\"").append(f(py))
                .append("\" x2=\"").append(W - RIGHT).append("\" y2=\"").append(f(py)).append("\"/>");
        b.append("<text class=\"budget-label\" x=\"").append(W - RIGHT - 6).append("\" y=\"").append(f(py - 5)).append("\" text-anchor=\"end\">budget ")
                .append(Html.esc((bb.atMost() ? "\u2264 " : "\u2265 ") + Units.format(bb.metric(), bb.bound()))).append("</text>");
    }

    /** The 2-D non-dominated feasible points as a step line (boundary of the region they dominate). */
    private static String staircase(List<EvaluatedPoint> pts, Metric x, Metric y, Axis ax, Axis ay) {
        int sx = x.better() == Metric.Direction.MINIMIZE ? 1 : -1;
        int sy = y.better() == Metric.Direction.MINIMIZE ? 1 : -1;
        List<double[]> v = new ArrayList<>();
        for (EvaluatedPoint p : pts) {
            if (p.feasible() && !p.failed()) v.add(new double[] {sx * p.metric(x).getAsDouble(), sy * p.metric(y).getAsDouble()});
        }
        v.sort(Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> a[1]));
        List<double[]> nd = new ArrayList<>();
        double bestY = Double.POSITIVE_INFINITY;
        for (double[] a : v) {
            if (a[1] < bestY) {
                nd.add(a);
                bestY = a[1];
            }
        }
        if (nd.size() < 2) return "";
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < nd.size(); i++) {
            double px = ax.px(sx * nd.get(i)[0]);
            double py = ay.px(sy * nd.get(i)[1]);
            if (i == 0) {
                d.append('M').append(f(px)).append(',').append(f(py));
            } else {
                d.append('V').append(f(py));
            }
            if (i + 1 < nd.size()) d.append('H').append(f(ax.px(sx * nd.get(i + 1)[0])));
        }
        return d.toString();
    }

    /** Tick labels with just enough significant digits to tell neighbouring ticks apart. */
    static List<String> tickLabels(Metric m, List<Double> ticks) {
        List<String> labels = List.of();
        for (int digits = 3; digits <= 8; digits++) {
            final int d = digits;
            labels = ticks.stream().map(t -> Units.tick(m, t, d)).toList();
            if (labels.stream().distinct().count() == labels.size()) break;
        }
        return labels;
    }

    private static String tip(EvaluatedPoint p, Metric x, Metric y) {
        String status = p.failed() ? "FAILED: " + p.reason() : p.feasible() ? "feasible" : "infeasible (violation " + Units.sig(p.violation(), 3) + ")";
        OptionalDouble vx = p.metric(x);
        OptionalDouble vy = p.metric(y);
        return p.id() + "\n" + y.jsonName() + " = " + Units.format(y, vy.orElse(Double.NaN)) + "\n" + x.jsonName() + " = "
                + Units.format(x, vx.orElse(Double.NaN)) + "\n" + status;
    }

    private static String cross(double x, double y, double r) {
        return "M" + f(x - r) + "," + f(y - r) + "L" + f(x + r) + "," + f(y + r) + "M" + f(x - r) + "," + f(y + r) + "L" + f(x + r) + "," + f(y - r);
    }

    private static String line(double x1, double y1, double x2, double y2, String cls) {
        return "<line class=\"" + cls + "\" x1=\"" + f(x1) + "\" y1=\"" + f(y1) + "\" x2=\"" + f(x2) + "\" y2=\"" + f(y2) + "\"/>";
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
