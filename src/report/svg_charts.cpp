#include "report/svg_charts.h"

#include <algorithm>
#include <cstdio>

#include "util/utf8.h"

namespace litrank::report {
namespace {

constexpr const char* kColours[] = {"#377eb8", "#e41a1c", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#1b9e77"};

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string Open(double width, double height, const std::string& label) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + Num(width) + " " + Num(height) +
         "\" width=\"" + Num(width) + "\" height=\"" + Num(height) + "\" role=\"img\" aria-label=\"" + Escape(label) +
         "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">";
}

/// Year labels under an x axis, at most ~12 of them.
std::string YearTicks(int first_year, size_t years, double left, double step, double y) {
  std::string out;
  const size_t every = std::max<size_t>(1, (years + 11) / 12);
  for (size_t i = 0; i < years; i += every) {
    out += "<text x=\"" + Num(left + step * (static_cast<double>(i) + 0.5)) + "\" y=\"" + Num(y) +
           "\" text-anchor=\"middle\">" + std::to_string(first_year + static_cast<int>(i)) + "</text>";
  }
  return out;
}

/// At most `bytes` bytes of `s`, whole UTF-8 characters only.
std::string Clip(const std::string& s, size_t bytes) { return s.substr(0, Utf8SafePrefix(s, bytes)); }

}  // namespace

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string YearBars(int first_year, const std::vector<size_t>& counts) {
  const double width = 720, height = 220, left = 40, bottom = 24, top = 10;
  const size_t top_count = counts.empty() ? 1 : std::max<size_t>(1, *std::max_element(counts.begin(), counts.end()));
  const double step = (width - left - 10) / static_cast<double>(std::max<size_t>(counts.size(), 1));
  std::string svg = Open(width, height, "papers per year");
  svg += "<text x=\"4\" y=\"" + Num(top + 8) + "\">" + std::to_string(top_count) + "</text>";
  svg += "<line x1=\"" + Num(left) + "\" y1=\"" + Num(height - bottom) + "\" x2=\"" + Num(width - 10) + "\" y2=\"" +
         Num(height - bottom) + "\" stroke=\"#444\"/>";
  for (size_t i = 0; i < counts.size(); ++i) {
    const double h = (height - bottom - top) * static_cast<double>(counts[i]) / static_cast<double>(top_count);
    svg += "<rect x=\"" + Num(left + step * static_cast<double>(i) + 1) + "\" y=\"" + Num(height - bottom - h) +
           "\" width=\"" + Num(std::max(step - 2, 1.0)) + "\" height=\"" + Num(h) + "\" fill=\"#377eb8\"><title>" +
           std::to_string(first_year + static_cast<int>(i)) + ": " + std::to_string(counts[i]) + "</title></rect>";
  }
  svg += YearTicks(first_year, counts.size(), left, step, height - 8);
  return svg + "</svg>";
}

std::string HorizontalBars(const std::vector<std::string>& labels, const std::vector<size_t>& values) {
  const double row = 18, left = 260, width = 720;
  const double height = row * static_cast<double>(labels.size()) + 10;
  const size_t top = values.empty() ? 1 : std::max<size_t>(1, *std::max_element(values.begin(), values.end()));
  std::string svg = Open(width, height, "topic sizes");
  for (size_t i = 0; i < labels.size() && i < values.size(); ++i) {
    const double y = 5 + row * static_cast<double>(i);
    const double w = (width - left - 60) * static_cast<double>(values[i]) / static_cast<double>(top);
    const std::string label = Clip(labels[i], 40);
    svg += "<text x=\"" + Num(left - 6) + "\" y=\"" + Num(y + 12) + "\" text-anchor=\"end\">" + Escape(label) + "</text>";
    svg += "<rect x=\"" + Num(left) + "\" y=\"" + Num(y + 2) + "\" width=\"" + Num(std::max(w, 1.0)) +
           "\" height=\"" + Num(row - 5) + "\" fill=\"" + kColours[i % std::size(kColours)] + "\"/>";
    svg += "<text x=\"" + Num(left + w + 4) + "\" y=\"" + Num(y + 12) + "\">" + std::to_string(values[i]) + "</text>";
  }
  return svg + "</svg>";
}

std::string TrendLines(int first_year, const std::vector<std::string>& names,
                       const std::vector<std::vector<size_t>>& series) {
  const double width = 720, height = 240, left = 40, bottom = 24, top = 10, legend = 250;
  size_t years = 0, top_count = 1;
  for (const auto& s : series) {
    years = std::max(years, s.size());
    for (size_t v : s) top_count = std::max(top_count, v);
  }
  const double plot = width - left - legend;
  const double step = plot / static_cast<double>(std::max<size_t>(years, 1));
  std::string svg = Open(width, height, "topics per year");
  svg += "<text x=\"4\" y=\"" + Num(top + 8) + "\">" + std::to_string(top_count) + "</text>";
  svg += "<line x1=\"" + Num(left) + "\" y1=\"" + Num(height - bottom) + "\" x2=\"" + Num(left + plot) + "\" y2=\"" +
         Num(height - bottom) + "\" stroke=\"#444\"/>";
  for (size_t k = 0; k < series.size(); ++k) {
    std::string points;
    for (size_t i = 0; i < series[k].size(); ++i) {
      const double x = left + step * (static_cast<double>(i) + 0.5);
      const double y = height - bottom - (height - bottom - top) * static_cast<double>(series[k][i]) / static_cast<double>(top_count);
      points += Num(x) + "," + Num(y) + " ";
    }
    const char* colour = kColours[k % std::size(kColours)];
    svg += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + std::string(colour) + "\" points=\"" + points + "\"/>";
    const double ly = top + 14 * static_cast<double>(k);
    svg += "<rect x=\"" + Num(left + plot + 10) + "\" y=\"" + Num(ly) + "\" width=\"10\" height=\"10\" fill=\"" + colour + "\"/>";
    const std::string name = k < names.size() ? Clip(names[k], 40) : "";
    svg += "<text x=\"" + Num(left + plot + 24) + "\" y=\"" + Num(ly + 9) + "\">" + Escape(name) + "</text>";
  }
  svg += YearTicks(first_year, years, left, step, height - 8);
  return svg + "</svg>";
}

std::string BurstTimeline(int first_year, int last_year, const std::vector<Burst>& bursts) {
  const double row = 16, left = 300, width = 720;
  const size_t years = static_cast<size_t>(std::max(1, last_year - first_year + 1));
  const double step = (width - left - 10) / static_cast<double>(years);
  const double height = row * static_cast<double>(bursts.size()) + 28;
  std::string svg = Open(width, height, "bursts");
  svg += "<text x=\"4\" y=\"12\" font-weight=\"bold\">term (strength)</text>";
  for (size_t i = 0; i < bursts.size(); ++i) {
    const Burst& b = bursts[i];
    const double y = 18 + row * static_cast<double>(i);
    const std::string term = Clip(b.term, 36);
    svg += "<text x=\"4\" y=\"" + Num(y + 10) + "\">" + Escape(term) + " (" + Num(b.strength) + ")</text>";
    svg += "<rect x=\"" + Num(left) + "\" y=\"" + Num(y + 4) + "\" width=\"" + Num(step * static_cast<double>(years)) +
           "\" height=\"4\" fill=\"#bbb\"/>";
    const double x = left + step * static_cast<double>(b.start - first_year);
    svg += "<rect x=\"" + Num(x) + "\" y=\"" + Num(y + 2) + "\" width=\"" + Num(step * static_cast<double>(b.end - b.start + 1)) +
           "\" height=\"8\" fill=\"#d7191c\"><title>" + Escape(b.term) + ": " + std::to_string(b.start) + "–" +
           std::to_string(b.end) + "</title></rect>";
  }
  svg += YearTicks(first_year, years, left, step, height - 4);
  return svg + "</svg>";
}

}  // namespace litrank::report
