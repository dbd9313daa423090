#include "contract/edge_status.h"

#include <nlohmann/json.hpp>

namespace onair::contract {

using nlohmann::json;

std::string WriteEdgeStatus(const EdgeStatus& s) {
  return json{{"state", s.state},
              {"connections", s.connections},
              {"egress_bps", s.egress_bps},
              {"cache_hit_ratio", s.cache_hit_ratio},
              {"fills_in_flight", s.fills_in_flight},
              {"cache_bytes", s.cache_bytes},
              {"upstreams_healthy", s.upstreams_healthy}}
      .dump();
}

StatusOr<EdgeStatus> ParseEdgeStatus(const std::string& json_text) {
  const auto j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("edge status: not a JSON object");
  auto state = j.find("state");
  if (state == j.end() || !state->is_string() || state->get<std::string>().empty() ||
      state->get<std::string>().size() > 32) {
    return InvalidArgument("edge status: state must be a name");
  }
  EdgeStatus s;
  s.state = state->get<std::string>();
  for (auto [field, out] :
       {std::pair{"connections", &s.connections}, std::pair{"egress_bps", &s.egress_bps},
        std::pair{"fills_in_flight", &s.fills_in_flight}, std::pair{"cache_bytes", &s.cache_bytes},
        std::pair{"upstreams_healthy", &s.upstreams_healthy}}) {
    auto it = j.find(field);
    if (it == j.end()) continue;
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
      return InvalidArgument(std::string("edge status: ") + field + " is not a count");
    }
    *out = it->get<int64_t>();
  }
  if (auto it = j.find("cache_hit_ratio"); it != j.end()) {
    if (!it->is_number() || !(it->get<double>() >= 0) || it->get<double>() > 1) {
      return InvalidArgument("edge status: cache_hit_ratio is not a share in [0, 1]");
    }
    s.cache_hit_ratio = it->get<double>();
  }
  return s;
}

}  // namespace onair::contract
