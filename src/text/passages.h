// Passages of long documents: full papers (a PDF's body) and patents are cut into
// overlapping word windows so that search can score each part on its own and a
// document by its best part (MaxP, Dai & Callan 2019: 150-word windows, stride 75).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "litrank/document.h"

namespace litrank {

/// Words per passage and the step between passage starts (half overlap).
inline constexpr size_t kPassageWords = 150;
inline constexpr size_t kPassageStride = 75;
/// A document whose passage source has more words than this is split; shorter
/// ones (every ordinary abstract) stay one unit, so abstract search is unchanged.
inline constexpr size_t kLongDocumentWords = 512;

/// A passage: bytes [begin, end) of the passage source text.
struct PassageSpan {
  size_t begin = 0;
  size_t end = 0;
};

/// The text a document's passages are cut from: the full text a PDF reader kept
/// (`extra.full_text`) when there is one, else the abstract (claims and
/// description of a patent, or any long record).
std::string PassageSource(const Document& doc);

/// Word windows over UTF-8 `text`: `words` words each, starting every `stride`
/// words, the last window ending at the last word. A word is a run of
/// non-space characters, except that each Han, kana or Hangul character counts
/// as one word (unspaced CJK text is split too). Empty for blank text; one
/// window when the text has at most `words` words. Spans start and end on word
/// boundaries, never inside a UTF-8 sequence.
std::vector<PassageSpan> SplitPassages(const std::string& text, size_t words = kPassageWords,
                                       size_t stride = kPassageStride);

/// Words in `text` as SplitPassages counts them.
size_t CountPassageWords(const std::string& text);

/// The spans search indexes for a document whose passage source is `source`: empty
/// when it has at most kLongDocumentWords words (the document is one unit), else
/// SplitPassages of it.
std::vector<PassageSpan> LongTextPassages(const std::string& source);

/// Number of the first window among a document's search units, as stored passages
/// (lex_passages, passage embeddings) are numbered: 1 when the windows of `source`
/// come from a full text (unit 0 is then the record's own title, abstract and
/// keywords), else 0 (the windows are the abstract itself).
uint32_t FirstWindowUnit(const Document& doc, const std::string& source);

/// The passage's own text: `source` bytes [span.begin, span.end), clamped to the source.
std::string PassageSlice(const std::string& source, const PassageSpan& span);

/// What a model reads for one passage: the title, a newline, the passage text.
std::string PassageText(const Document& doc, const std::string& source, const PassageSpan& span);

}  // namespace litrank
