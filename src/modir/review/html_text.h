#pragma once

// Text for HTML documents: escaping and inline data.

#include <string>

namespace modir::review {

/// `text` with <, >, & and " escaped, safe inside elements and quoted attributes.
std::string html_escape(const std::string& text);

/// Standard base64 (RFC 4648, with padding) of `bytes`, for data: URLs.
std::string base64(const std::string& bytes);

}  // namespace modir::review
