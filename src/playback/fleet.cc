#include "playback/fleet.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace onair::playback {

StatusOr<EdgeHealth> ParseEdgeStatus(const std::string& json_text,
                                     std::chrono::steady_clock::time_point polled) {
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("edge status: not a JSON object");
  auto state = j.find("state");
  if (state == j.end() || !state->is_string()) return InvalidArgument("edge status: no state");
  EdgeHealth h;
  h.reachable = true;
  h.state = state->get<std::string>();
  h.polled = polled;
  for (auto [field, out] :
       {std::pair{"connections", &h.connections}, std::pair{"egress_bps", &h.egress_bps}}) {
    auto it = j.find(field);
    if (it == j.end()) continue;
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
      return InvalidArgument(std::string("edge status: ") + field + " is not a count");
    }
    *out = it->get<int64_t>();
  }
  return h;
}

namespace {

// The share of its capacity an edge uses (the higher of egress and connections); 0 when its
// capacity is unknown.
double Load(const EdgeEntry& e, const EdgeHealth& h) {
  double load = 0;
  if (e.max_egress_bps > 0) {
    load =
        std::max(load, static_cast<double>(h.egress_bps) / static_cast<double>(e.max_egress_bps));
  }
  if (e.max_connections > 0) {
    load =
        std::max(load, static_cast<double>(h.connections) / static_cast<double>(e.max_connections));
  }
  return load;
}

}  // namespace

std::vector<const EdgeEntry*> RankEdges(const std::vector<EdgeEntry>& edges,
                                        const std::vector<EdgeHealth>& health,
                                        const std::string& region,
                                        std::chrono::steady_clock::time_point now,
                                        const RankOptions& options) {
  struct Candidate {
    const EdgeEntry* edge;
    int distance;
    double load;
  };
  std::vector<Candidate> usable;
  for (size_t k = 0; k < edges.size() && k < health.size(); ++k) {
    const EdgeHealth& h = health[k];
    if (!h.reachable || h.state != "healthy" || now - h.polled > options.stale_after) continue;
    const double load = Load(edges[k], h);
    if (load >= options.full_at) continue;
    // Its own region's edges first, then those that serve every region, then the others.
    const int distance = region.empty() || edges[k].region == region ? 0
                         : edges[k].region.empty()                   ? 1
                                                                     : 2;
    usable.push_back({&edges[k], distance, load});
  }
  std::stable_sort(usable.begin(), usable.end(), [](const Candidate& a, const Candidate& b) {
    if (a.distance != b.distance) return a.distance < b.distance;
    return a.load < b.load;
  });
  std::vector<const EdgeEntry*> out;
  for (const Candidate& c : usable) {
    if (out.size() == options.most) break;
    out.push_back(c.edge);
  }
  return out;
}

std::string SteeringJson(bool hls, const std::vector<const EdgeEntry*>& ranked, int ttl_s,
                         const std::string& reload_uri) {
  nlohmann::json priority = nlohmann::json::array();
  for (const EdgeEntry* e : ranked) priority.push_back(e->name);
  nlohmann::json j = {{"VERSION", 1}, {"TTL", ttl_s}};
  if (!reload_uri.empty()) j["RELOAD-URI"] = reload_uri;
  j[hls ? "PATHWAY-PRIORITY" : "SERVICE-LOCATION-PRIORITY"] = std::move(priority);
  return j.dump();
}

}  // namespace onair::playback
