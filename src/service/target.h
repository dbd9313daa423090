// Reading a request target against route patterns (docs/service.md, "Routes"): its path and
// query, a query's values, and whether a path matches a pattern of literal segments, {name}
// segments and a final "*". Plain code over untrusted bytes, no Asio (fuzzed:
// fuzz/service_target_fuzz.cc); route.h builds the route table on it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onair::service {

// The path and query of a request target ("/a/b?x=1"): the query without its '?'.
std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target);
// The value of `key` in a query string ("a=1&b=2"); "" when absent.
std::string_view QueryValue(std::string_view query, std::string_view key);

// A route pattern, parsed once: "/admin/edges/{name}", "/live/*", "/*".
struct Pattern {
  std::vector<std::string> segments;
  bool rest = false;  // a final "*"
  bool catch_all() const { return segments.empty() && rest; }
};
Pattern ParsePattern(std::string_view pattern);
// Whether `path` matches; the {name} values (and the rest, for "*") go to *params.
bool MatchPattern(const Pattern& p, std::string_view path, std::vector<std::string_view>* params);

}  // namespace onair::service
