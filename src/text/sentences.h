// Sentences of a text, by ICU's sentence break rules (root locale): what `cite`
// searches for one at a time.
#pragma once

#include <string>
#include <vector>

namespace litrank {

/// One sentence: its text (whitespace trimmed) and where it lies in the input.
struct Sentence {
  std::string text;
  size_t begin = 0;  ///< byte offset in the input
  size_t end = 0;    ///< one past the last byte
};

/// Splits UTF-8 `text` into sentences (".", "?", "!", "。", "？", "！" ... as ICU
/// defines them). A single line break (hard-wrapped text) does not end a sentence
/// and reads as a space in `Sentence::text`; a blank line does. Empty pieces are
/// dropped. Invalid UTF-8 must be rejected by the caller.
std::vector<Sentence> SplitSentences(const std::string& text);

/// Words in UTF-8 `text` by ICU's word break rules (letters, numbers, and Chinese or
/// Japanese words by its dictionary; punctuation and spaces are not words).
size_t CountWords(const std::string& text);

}  // namespace litrank
