#include "playback/fleet.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "contract/edge_registration.h"
#include "contract/edge_status.h"
#include "contract/json_fields.h"
#include "contract/steering.h"
#include "core/event_config.h"
#include "net/url.h"

namespace onair::playback {

namespace {

using contract::BadField;
const char* kEdge = "edge";

// The checks every registered edge passes, however it came.
StatusOr<EdgeEntry> CheckedEdge(EdgeEntry e) {
  if (!IsSafeName(e.name)) return BadField(kEdge, "name", "must be 1-64 of [a-zA-Z0-9_-]");
  while (!e.base_url.empty() && e.base_url.back() == '/') e.base_url.pop_back();
  // Its status is polled at the same address, over HTTP or HTTPS.
  if (e.base_url.size() > 1024 || !net::ParseUrl(e.base_url).ok()) {
    return BadField(kEdge, "base_url", "must be an http:// or https:// URL");
  }
  if (!e.region.empty() && !IsSafeName(e.region)) {
    return BadField(kEdge, "region", "must be 1-64 of [a-zA-Z0-9_-]");
  }
  return e;
}

}  // namespace

StatusOr<EdgeEntry> ParseEdgeEntry(const std::string& name, const std::string& json_text) {
  auto r = contract::ParseEdgeRegistration(json_text);
  if (!r.ok()) return r.status();
  return CheckedEdge({name, r->base_url, r->region, r->max_egress_bps, r->max_connections});
}

StatusOr<EdgeEntry> ParseEdgeFlag(const std::string& flag) {
  const size_t eq = flag.find('=');
  if (eq == std::string::npos) return InvalidArgument("--edge wants NAME=URL[,key=value...]");
  EdgeEntry e;
  e.name = flag.substr(0, eq);
  std::string rest = flag.substr(eq + 1);
  const size_t comma = rest.find(',');
  e.base_url = rest.substr(0, comma);
  rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
  while (!rest.empty()) {
    const size_t next = rest.find(',');
    const std::string kv = rest.substr(0, next);
    rest = next == std::string::npos ? "" : rest.substr(next + 1);
    const size_t at = kv.find('=');
    const std::string key = kv.substr(0, at),
                      value = at == std::string::npos ? "" : kv.substr(at + 1);
    if (key == "region") {
      e.region = value;
      continue;
    }
    int64_t n = -1;
    try {
      size_t used = 0;
      n = std::stoll(value, &used);
      if (used != value.size() || n < 0) n = -1;
    } catch (const std::exception&) {
      n = -1;
    }
    if (key == "max-egress-mbps" && n >= 0 && n <= (int64_t{1} << 30)) {
      e.max_egress_bps = n * 1'000'000;
    } else if (key == "max-connections" && n >= 0 && n <= (int64_t{1} << 40)) {
      e.max_connections = n;
    } else {
      return InvalidArgument("--edge " + e.name + ": bad '" + kv +
                             "' (region=, max-egress-mbps=, max-connections=)");
    }
  }
  return CheckedEdge(std::move(e));
}

StatusOr<EdgeHealth> ParseEdgeStatus(const std::string& json_text,
                                     std::chrono::steady_clock::time_point polled) {
  auto s = contract::ParseEdgeStatus(json_text);
  if (!s.ok()) return s.status();
  EdgeHealth h;
  h.reachable = true;
  h.state = s->state;
  h.connections = s->connections;
  h.egress_bps = s->egress_bps;
  h.polled = polled;
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
                         const std::string& reload_uri, const QualityCap& cap) {
  contract::Steering steering;
  steering.ttl_s = ttl_s;
  steering.reload_uri = reload_uri;
  steering.hls = hls;
  for (const EdgeEntry* e : ranked) steering.priority.push_back(e->name);
  steering.cap_max_bitrate = cap.max_bitrate;
  steering.cap_max_height = cap.max_height;
  return contract::WriteSteering(steering);
}

}  // namespace onair::playback
