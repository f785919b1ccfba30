// Short posts (tweets, Weibo, forum titles) cleaned for topic finding: what a
// post carries besides its words (links, handles, retweet marks, hashtag
// syntax, HTML entities) is removed or turned into words.
#pragma once

#include <string>
#include <string_view>

namespace litrank {

/// The post's words: URLs (http://, https://, www.) dropped; a leading or
/// standalone "RT" dropped; "@handle" and "#tag" lose their sign, and a
/// CamelCase tag or handle is split into words ("#CallOfDuty" → "Call Of
/// Duty"); &amp; &lt; &gt; &quot; &#39; decoded. Other text (any script) is
/// kept as it is. Valid UTF-8 in, valid UTF-8 out.
std::string CleanPost(std::string_view text);

}  // namespace litrank
