#include "service/target.h"

namespace onair::service {

std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::string_view QueryValue(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view kv = query.substr(0, amp);
    const size_t eq = kv.find('=');
    if (eq != std::string_view::npos && kv.substr(0, eq) == key) return kv.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

Pattern ParsePattern(std::string_view pattern) {
  Pattern p;
  if (pattern.ends_with("/*")) {
    p.rest = true;
    pattern.remove_suffix(2);
  }
  if (pattern.empty() || pattern[0] != '/') return p;
  pattern.remove_prefix(1);
  for (;;) {
    const size_t slash = pattern.find('/');
    p.segments.emplace_back(pattern.substr(0, slash));
    if (slash == std::string_view::npos) break;
    pattern.remove_prefix(slash + 1);
  }
  return p;
}

bool MatchPattern(const Pattern& p, std::string_view path, std::vector<std::string_view>* params) {
  params->clear();
  if (p.catch_all()) {  // any target at all (a catch-all refusal reads absolute forms too)
    params->push_back(path.empty() || path[0] != '/' ? path : path.substr(1));
    return true;
  }
  if (path.empty() || path[0] != '/') return false;
  std::string_view left = path.substr(1);
  for (size_t k = 0; k < p.segments.size(); ++k) {
    const size_t slash = left.find('/');
    const std::string_view seg = left.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    const std::string& want = p.segments[k];
    if (want.size() >= 2 && want.front() == '{' && want.back() == '}') {
      if (seg.empty()) return false;
      params->push_back(seg);
    } else if (seg != want) {
      return false;
    }
    if (last) {
      if (k + 1 != p.segments.size()) return false;
      if (p.rest) params->push_back({});
      return true;
    }
    left.remove_prefix(slash + 1);
  }
  if (!p.rest) return false;  // more path than the pattern has
  params->push_back(left);
  return true;
}

}  // namespace onair::service
