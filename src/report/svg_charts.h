// Internal to report/: small self-contained SVG charts for the review report
// (no script, no external font or request; they print as they show).
#pragma once

#include <string>
#include <vector>

#include "litrank/trends.h"

namespace litrank::report {

/// A vertical bar per year: `counts[i]` papers in first_year + i.
std::string YearBars(int first_year, const std::vector<size_t>& counts);

/// Horizontal bars: one per label, length by value, the value printed.
std::string HorizontalBars(const std::vector<std::string>& labels, const std::vector<size_t>& values);

/// One line per series over the years first_year.. (shared y axis), with a legend.
std::string TrendLines(int first_year, const std::vector<std::string>& names,
                       const std::vector<std::vector<size_t>>& series);

/// CiteSpace's burst view: a row per burst, the span in grey, the burst in red.
std::string BurstTimeline(int first_year, int last_year, const std::vector<Burst>& bursts);

/// Text for SVG/HTML content or attributes (& < > " ' escaped).
std::string Escape(const std::string& s);

}  // namespace litrank::report
