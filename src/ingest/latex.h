// Internal to ingest: the LaTeX that BibTeX fields carry, turned into plain UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace litrank::ingest {

/// Converts a BibTeX field value to plain text: accent commands (\"{o}, \'e,
/// {\"a}, \c{c}, \v{s}, \H{o}, \u{a}, \k{a}, \r{a}, \={o}, \.{z}, \~n, \^o,
/// \`a), letters (\ss \o \O \ae \AE \oe \OE \aa \AA \l \L \i \j), escapes
/// (\& \% \$ \# \_ \{ \}), "--" and "---" (en/em dash), "~" (space) become
/// their UTF-8 characters (NFC-composed); other commands (\emph, \textit ...)
/// lose their name and keep their argument; braces and "$" are dropped.
/// Non-ASCII input passes through unchanged.
std::string LatexToUtf8(std::string_view s);

}  // namespace litrank::ingest
