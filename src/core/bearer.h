// The check of a bearer token (pipelines' uploads, operators' admin APIs).
#pragma once

#include <string>
#include <string_view>

namespace onair {

// Whether an Authorization header is "Bearer {token}" (constant time over the token; an
// empty token never matches).
bool TokenMatches(std::string_view header, const std::string& token);

}  // namespace onair
