// The recall curve of simulated runs as a self-contained SVG.
#include <cstdio>
#include <string>

#include "litrank/screening.h"

namespace litrank {
namespace {

std::string Fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

void AppendPoint(double px, double py, std::string* out) {
  char buf[48];
  std::snprintf(buf, sizeof buf, " %.1f,%.1f", px, py);
  out->append(buf);
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string RecallCurveSvg(const SimulationResult& result, const std::vector<bool>& included,
                           const std::string& title) {
  const double w = 640, h = 420, left = 60, right = 20, top = 40, bottom = 50;
  const double pw = w - left - right, ph = h - top - bottom;
  const double n = static_cast<double>(std::max<int64_t>(1, result.records));
  const double total = static_cast<double>(std::max<int64_t>(1, result.included));
  auto x = [&](double screened) { return left + pw * screened / n; };
  auto y = [&](double recall) { return top + ph * (1 - recall); };
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + Fmt(w) + " " + Fmt(h) +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + Fmt(left) + "\" y=\"24\" font-size=\"15\">" + Escape(title) + "</text>\n";
  // Axes, grid and labels.
  for (int i = 0; i <= 10; i += 2) {
    const double f = i / 10.0;
    svg += "<line x1=\"" + Fmt(left) + "\" x2=\"" + Fmt(left + pw) + "\" y1=\"" + Fmt(y(f)) + "\" y2=\"" +
           Fmt(y(f)) + "\" stroke=\"#e5e5e5\"/>\n";
    svg += "<text x=\"" + Fmt(left - 8) + "\" y=\"" + Fmt(y(f) + 4) + "\" text-anchor=\"end\">" +
           std::to_string(i * 10) + "%</text>\n";
    svg += "<text x=\"" + Fmt(x(f * n)) + "\" y=\"" + Fmt(top + ph + 18) + "\" text-anchor=\"middle\">" +
           std::to_string(i * 10) + "%</text>\n";
  }
  svg += "<rect x=\"" + Fmt(left) + "\" y=\"" + Fmt(top) + "\" width=\"" + Fmt(pw) + "\" height=\"" + Fmt(ph) +
         "\" fill=\"none\" stroke=\"#333\"/>\n";
  svg += "<text x=\"" + Fmt(left + pw / 2) + "\" y=\"" + Fmt(h - 10) +
         "\" text-anchor=\"middle\">records screened</text>\n";
  svg += "<text transform=\"translate(16 " + Fmt(top + ph / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">relevant records found</text>\n";
  // Random screening and the 95% line.
  svg += "<line x1=\"" + Fmt(x(0)) + "\" y1=\"" + Fmt(y(0)) + "\" x2=\"" + Fmt(x(n)) + "\" y2=\"" + Fmt(y(1)) +
         "\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n";
  svg += "<line x1=\"" + Fmt(left) + "\" x2=\"" + Fmt(left + pw) + "\" y1=\"" + Fmt(y(0.95)) + "\" y2=\"" +
         Fmt(y(0.95)) + "\" stroke=\"#c33\" stroke-dasharray=\"2 3\"/>\n";
  static const char* const kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"};
  size_t color = 0;
  for (const SimulationRun& run : result.runs) {
    if (run.order.empty()) continue;
    std::string points;
    AppendPoint(x(0), y(0), &points);
    int64_t found = 0;
    for (size_t k = 0; k < run.order.size(); ++k) {
      const bool inc = run.order[k] < included.size() && included[run.order[k]];
      found += inc ? 1 : 0;
      if (inc || k + 1 == run.order.size()) {
        const double before = static_cast<double>(found - (inc ? 1 : 0));
        AppendPoint(x(static_cast<double>(k)), y(before / total), &points);
        AppendPoint(x(static_cast<double>(k + 1)), y(static_cast<double>(found) / total), &points);
      }
    }
    svg += "<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"" + std::string(kColors[color++ % 6]) +
           "\" points=\"" + points + "\"><title>seed " + std::to_string(run.seed) + "</title></polyline>\n";
    if (run.stop_at > 0) {
      svg += "<circle cx=\"" + Fmt(x(static_cast<double>(run.stop_at))) + "\" cy=\"" + Fmt(y(run.recall_at_stop)) +
             "\" r=\"4\" fill=\"none\" stroke=\"#c33\"><title>stopping aid: stop here</title></circle>\n";
    }
  }
  svg += "<text x=\"" + Fmt(left + pw - 4) + "\" y=\"" + Fmt(y(0.95) - 4) +
         "\" text-anchor=\"end\" fill=\"#c33\">95% recall</text>\n</svg>\n";
  return svg;
}

}  // namespace litrank
