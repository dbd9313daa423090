#include "playback/view.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/log.h"

namespace onair::playback {

Made MakeAnswer(Format f, const std::string& body) {
  Made m;
  m.format = f;
  std::string raw = std::string("HTTP/1.1 200 OK\r\nServer: onair-playback\r\nContent-Type: ") +
                    (f == Format::kHls ? "application/vnd.apple.mpegurl" : "application/dash+xml") +
                    "\r\nCache-Control: private, no-store\r\nAccess-Control-Allow-Origin: *\r\n"
                    "Access-Control-Expose-Headers: Retry-After\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n";
  m.body_at = raw.size();
  raw += body;
  m.raw = std::make_shared<const std::string>(std::move(raw));
  return m;
}

const char* FormatName(Format f) { return f == Format::kHls ? "hls" : "dash"; }

namespace {

RankOptions AllOf(RankOptions o) {
  o.most = SIZE_MAX;
  return o;
}

}  // namespace

FleetState::FleetState(std::vector<EdgeEntry> edges, Levers levers, ViewOptions options,
                       Catalog* catalog, Clock* clock, MetricsRegistry* metrics)
    : o_(std::move(options)),
      catalog_(catalog),
      clock_(clock),
      m_(*metrics),
      public_url_(o_.answer.public_url),
      edges_(std::move(edges)),
      health_(edges_.size()),
      levers_(std::move(levers)),
      personalise_gauge_(m_.gauge("onair_playback_lever_personalisation",
                                  "1 while answers are made for each device, 0 generic.")),
      edges_eligible_(m_.gauge("onair_playback_edges_eligible",
                               "Edges new viewers may be sent to (healthy, fresh, not full).")) {
  std::lock_guard<std::mutex> lock(mu_);
  RebuildLocked();
}

void FleetState::set_public_url(std::string url) {
  std::lock_guard<std::mutex> lock(mu_);
  public_url_ = std::move(url);
  RebuildLocked();
}

std::shared_ptr<const View> FleetState::Current() const {
  std::lock_guard<std::mutex> lock(view_mu_);
  return view_;
}

std::optional<std::string> FleetState::GenericAnswer(const View& v, const CatalogEvent& ev,
                                                     Format f) const {
  Device anyone;
  anyone.avc = anyone.hevc = true;
  anyone.format = f;
  QualityLevers all;
  all.all = v.levers.quality.all;
  const auto rungs = SelectRenditions(ev.config, anyone, all);
  const auto ranked = RankEdges(v.edges, v.health, "", clock_->Monotonic(), o_.rank);
  if (rungs.empty() || ranked.empty()) return std::nullopt;
  return Manifest(ev, anyone, rungs, ranked);
}

std::string FleetState::Manifest(const CatalogEvent& ev, const Device& device,
                                 const std::vector<const RenditionConfig*>& rungs,
                                 const std::vector<const EdgeEntry*>& ranked) const {
  AnswerOptions a = o_.answer;
  a.public_url = public_url_;
  return ManifestFor(ev, device, rungs, ranked, a, clock_->Now());
}

std::vector<EdgeEntry> FleetState::edges() const {
  std::lock_guard<std::mutex> lock(mu_);
  return edges_;
}

void FleetState::SetHealth(const std::vector<std::pair<std::string, EdgeHealth>>& polled) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, h] : polled) {
    for (size_t k = 0; k < edges_.size(); ++k) {
      if (edges_[k].name == name) health_[k] = h;
    }
  }
  RebuildLocked();
}

StatusOr<Levers> FleetState::PatchLevers(const std::string& body) {
  std::lock_guard<std::mutex> lock(mu_);
  auto next = ApplyLevers(levers_, body);
  if (!next.ok()) return next.status();
  levers_ = *next;
  RebuildLocked();
  Logger("playback")->warn("levers now {}", LeversToJson(levers_));
  return levers_;
}

Levers FleetState::levers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return levers_;
}

Status FleetState::PutEdge(const std::string& name, const std::string& body) {
  auto e = ParseEdgeEntry(name, body);
  if (!e.ok()) return e.status();
  std::lock_guard<std::mutex> lock(mu_);
  bool found = false;
  for (auto& known : edges_) {
    if (known.name == name) {
      known = *e;
      found = true;
    }
  }
  if (!found) {
    edges_.push_back(*e);
    health_.emplace_back();  // unknown until its first poll
  }
  RebuildLocked();
  Logger("playback")->info("edge {} registered at {}", name, e->base_url);
  return Status::Ok();
}

void FleetState::RemoveEdge(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t k = 0; k < edges_.size();) {
    if (edges_[k].name == name) {
      edges_.erase(edges_.begin() + static_cast<std::ptrdiff_t>(k));
      health_.erase(health_.begin() + static_cast<std::ptrdiff_t>(k));
    } else {
      ++k;
    }
  }
  RebuildLocked();
  Logger("playback")->info("edge {} removed", name);
}

void FleetState::Rebuild() {
  std::lock_guard<std::mutex> lock(mu_);
  RebuildLocked();
}

void FleetState::RebuildLocked() {
  auto v = std::make_shared<View>();
  v->edges = edges_;
  v->health = health_;
  v->levers = levers_;
  for (size_t k = 0; k < v->edges.size(); ++k) {
    const auto& d = levers_.drained;
    if (std::find(d.begin(), d.end(), v->edges[k].name) != d.end()) {
      v->health[k].state = "drained";
    }
  }
  // The generic answers, made ahead only while they are served.
  const auto events = levers_.personalise || !catalog_
                          ? std::vector<std::shared_ptr<const CatalogEvent>>{}
                          : catalog_->Events();
  for (const auto& ev : events) {
    for (Format f : {Format::kDash, Format::kHls}) {
      auto body = GenericAnswer(*v, *ev, f);
      if (body) {
        v->generic[ev->config.event + "/" + FormatName(f)] =
            std::make_shared<const Made>(MakeAnswer(f, *body));
      }
    }
  }
  // Metrics of the levers and the fleet, now.
  personalise_gauge_.Set(levers_.personalise ? 1 : 0);
  std::vector<std::pair<std::string, QualityCap>> caps = levers_.quality.by_type;
  caps.emplace_back("all", levers_.quality.all);
  for (const auto& [type, cap] : caps) lever_types_.insert(type);
  for (const std::string& type : lever_types_) {
    QualityCap cap;
    for (const auto& [t, c] : caps) {
      if (t == type) cap = c;
    }
    m_.gauge("onair_playback_lever_max_height",
             "The operator's cap on picture height (0: none), by device type.",
             {{"device_type", type}})
        .Set(cap.max_height);
    m_.gauge("onair_playback_lever_max_bitrate",
             "The operator's cap on bitrate, bits/s (0: none), by device type.",
             {{"device_type", type}})
        .Set(cap.max_bitrate);
  }
  const auto ranked = RankEdges(v->edges, v->health, "", clock_->Monotonic(), AllOf(o_.rank));
  edges_eligible_.Set(static_cast<int64_t>(ranked.size()));
  for (const EdgeEntry& e : v->edges) edge_names_seen_.insert(e.name);
  for (const std::string& name : edge_names_seen_) {
    int64_t eligible = 0, drained = 0;
    for (const EdgeEntry* r : ranked) eligible += r->name == name ? 1 : 0;
    for (const std::string& d : levers_.drained) drained += d == name ? 1 : 0;
    m_.gauge("onair_playback_edge_eligible", "1 while new viewers may be sent to this edge.",
             {{"edge", name}})
        .Set(eligible);
    m_.gauge("onair_playback_lever_edge_drained", "1 while the operator drains this edge.",
             {{"edge", name}})
        .Set(drained);
  }
  {
    std::lock_guard<std::mutex> lock(view_mu_);
    view_ = std::move(v);
  }
  generation_.fetch_add(1, std::memory_order_release);
}

std::string FleetState::EdgesJson() const {
  auto view = Current();
  const auto ranked = RankEdges(view->edges, view->health, "", clock_->Monotonic(), AllOf(o_.rank));
  nlohmann::json out = nlohmann::json::array();
  for (size_t k = 0; k < view->edges.size(); ++k) {
    const EdgeEntry& e = view->edges[k];
    const EdgeHealth& h = view->health[k];
    const bool eligible = std::any_of(ranked.begin(), ranked.end(),
                                      [&](const EdgeEntry* r) { return r->name == e.name; });
    out.push_back({{"name", e.name},
                   {"base_url", e.base_url},
                   {"region", e.region},
                   {"max_egress_bps", e.max_egress_bps},
                   {"max_connections", e.max_connections},
                   {"reachable", h.reachable},
                   {"state", h.reachable ? h.state : "unreachable"},
                   {"connections", h.connections},
                   {"egress_bps", h.egress_bps},
                   {"eligible", eligible}});
  }
  return out.dump();
}

}  // namespace onair::playback
