#include "contract/edge_registration.h"

#include <nlohmann/json.hpp>

#include "core/event_config.h"
#include "net/url.h"

namespace onair::contract {

using nlohmann::json;

std::string WriteEdgeRegistration(const EdgeRegistration& r) {
  json j = {{"base_url", r.base_url}, {"region", r.region}};
  if (r.max_egress_bps > 0) j["max_egress_bps"] = r.max_egress_bps;
  if (r.max_connections > 0) j["max_connections"] = r.max_connections;
  return j.dump();
}

StatusOr<EdgeRegistration> ParseEdgeRegistration(const std::string& json_text) {
  if (json_text.size() > 16 * 1024) return InvalidArgument("edge: larger than 16 KiB");
  const auto j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("edge: not a JSON object");
  EdgeRegistration r;
  auto url = j.find("base_url");
  if (url == j.end() || !url->is_string()) return InvalidArgument("edge: base_url is required");
  r.base_url = url->get<std::string>();
  while (!r.base_url.empty() && r.base_url.back() == '/') r.base_url.pop_back();
  if (r.base_url.size() > 1024 || !net::ParseUrl(r.base_url).ok()) {
    return InvalidArgument("edge: base_url must be an http:// or https:// URL");
  }
  if (auto region = j.find("region"); region != j.end()) {
    if (!region->is_string()) return InvalidArgument("edge: region must be a string");
    r.region = region->get<std::string>();
    if (!r.region.empty() && !IsSafeName(r.region)) {
      return InvalidArgument("edge: region must be 1-64 of [a-zA-Z0-9_-]");
    }
  }
  constexpr int64_t kMost = int64_t{1} << 50;
  for (auto [field, out] : {std::pair{"max_egress_bps", &r.max_egress_bps},
                            std::pair{"max_connections", &r.max_connections}}) {
    auto it = j.find(field);
    if (it == j.end()) continue;
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > kMost) {
      return InvalidArgument(std::string("edge: ") + field + " must be a whole number in [0, " +
                             std::to_string(kMost) + "]");
    }
    *out = it->get<int64_t>();
  }
  return r;
}

}  // namespace onair::contract
