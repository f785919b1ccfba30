// The built-in web page (web/index.html, compiled into the binary: no CDN, works offline).
#pragma once

#include <string_view>

namespace litrank::server {

/// The page served at GET /: HTML with its CSS and script inline.
std::string_view IndexHtml();

}  // namespace litrank::server
