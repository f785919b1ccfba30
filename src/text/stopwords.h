// Internal: the broad English stop list that topic and keyword features use.
#pragma once

#include <string_view>

namespace litrank {

/// Whether `word` (lower case) is one of the 318 words of the Glasgow IR stop
/// list, the list scikit-learn's stop_words="english" uses: function words and
/// question words ("how", "get", "can") that name no topic. Search keeps its
/// narrow list (the analyzer's 33 words): queries need "how" less than topics
/// need it gone.
bool IsGeneralEnglishStopword(std::string_view word);

}  // namespace litrank
