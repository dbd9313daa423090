#include "service/route.h"

namespace onair::service {

namespace http = boost::beast::http;

namespace {

bool Answers(const Route& r, http::verb method) {
  for (http::verb m : r.methods) {
    if (m == method || (m == http::verb::get && method == http::verb::head)) return true;
  }
  return false;
}

}  // namespace

Route& RouteTable::Add(Route route) {
  route.parsed = ParsePattern(route.pattern);
  routes_.push_back(std::make_unique<Route>(std::move(route)));
  return *routes_.back();
}

Match RouteTable::Find(http::verb method, std::string_view path) const {
  Match m;
  std::vector<std::string_view> params;
  // Catch-alls ("/*") only answer paths no other route knows: a known path with another
  // method is "method not allowed", not the catch-all's.
  for (const bool fallback : {false, true}) {
    for (const auto& r : routes_) {
      if (r->parsed.catch_all() != fallback) continue;
      if (!MatchPattern(r->parsed, path, &params)) continue;
      if (Answers(*r, method)) {
        m.route = r.get();
        m.params = std::move(params);
        return m;
      }
      if (r->refusal) continue;
      m.path_known = true;
      for (http::verb v : r->methods) {
        const std::string name(http::to_string(v));
        if (m.allow.find(name) != std::string::npos) continue;
        m.allow += (m.allow.empty() ? "" : ", ") + name;
        if (v == http::verb::get) m.allow += ", HEAD";
      }
    }
    if (m.path_known) return m;
  }
  return m;
}

}  // namespace onair::service
