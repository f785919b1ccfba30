// Internal to analysis/: positions and the drawing of a keyword network, through
// graphviz (libgvc, in-process; neato's stress majorization, seeded).
#pragma once

#include <cstdint>
#include <string>

#include "litrank/keywords.h"
#include "litrank/status.h"

namespace litrank::analysis {

/// Sets every node's x, y (points; same input and seed, same positions).
/// Errors: Internal (graphviz failed).
Status LayOut(KeywordNetwork* net, uint64_t seed);

/// The network as an SVG document, laid out by graphviz at the nodes' positions.
StatusOr<std::string> DrawSvg(const KeywordNetwork& net);

}  // namespace litrank::analysis
