// HTTP header lists as onair's client hands them over, and the one case-insensitive lookup
// every reader of an upstream's or a server's answer uses. No Asio here: parsers of answers
// (edge/freshness.h) and their fuzz targets include it alone.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onair::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

// A header's value (case-insensitive name), "" if absent.
std::string HeaderValue(const Headers& headers, std::string_view name);

}  // namespace onair::net
