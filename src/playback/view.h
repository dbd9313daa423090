// What every play start reads at once (docs/playback.md): the edge fleet with each edge's
// last health, the operator's levers, and the generic answers made from them; one immutable
// View, replaced whole when any of them changes (a poll, a lever, an edge registered), so a
// request reads it without a lock. FleetState owns the changes and keeps the metrics of the
// levers and the fleet in step with them.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "playback/answer.h"
#include "playback/catalog.h"
#include "playback/fleet.h"
#include "playback/levers.h"

namespace onair::playback {

// A manifest answer as sent: the whole HTTP/1.1 response, and where its body starts.
struct Made {
  std::shared_ptr<const std::string> raw;
  size_t body_at = 0;
  Format format = Format::kDash;
  std::string_view body() const { return std::string_view(*raw).substr(body_at); }
};
Made MakeAnswer(Format f, const std::string& body);
const char* FormatName(Format f);

struct View {
  std::vector<EdgeEntry> edges;
  std::vector<EdgeHealth> health;  // drained edges marked "drained" here
  Levers levers;
  std::map<std::string, std::shared_ptr<const Made>> generic;  // "event/dash", "event/hls"
};

struct ViewOptions {
  RankOptions rank;
  AnswerOptions answer;  // public URL and latency target of the answers
};

class FleetState {
 public:
  FleetState(std::vector<EdgeEntry> edges, Levers levers, ViewOptions options, Catalog* catalog,
             Clock* clock, MetricsRegistry* metrics);

  std::shared_ptr<const View> Current() const;
  // Bumped at every new view: a loop's caches keyed by it are dropped when it moves.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  void set_public_url(std::string url);
  const ViewOptions& options() const { return o_; }

  // The answer made for nobody in particular (personalisation off): every rendition under
  // the all-device cap, the edges ranked for no region.
  std::optional<std::string> GenericAnswer(const View& v, const CatalogEvent& ev, Format f) const;
  std::string Manifest(const CatalogEvent& ev, const Device& device,
                       const std::vector<const RenditionConfig*>& rungs,
                       const std::vector<const EdgeEntry*>& ranked) const;

  // ----- changes -----
  std::vector<EdgeEntry> edges() const;
  void SetHealth(const std::vector<std::pair<std::string, EdgeHealth>>& polled);
  // The levers after a PATCH body; InvalidArgument naming the field (nothing changes then).
  StatusOr<Levers> PatchLevers(const std::string& body);
  Levers levers() const;
  // Registers (or replaces) an edge from its JSON entry; removes one.
  Status PutEdge(const std::string& name, const std::string& body);
  void RemoveEdge(const std::string& name);
  // Rebuilds the view now (the catalog learnt an event: its generic answers).
  void Rebuild();
  // The fleet as the service sees it: each edge, its last status, whether it takes viewers.
  std::string EdgesJson() const;

 private:
  void RebuildLocked();

  const ViewOptions o_;
  Catalog* catalog_;
  Clock* clock_;
  MetricsRegistry& m_;
  std::string public_url_;

  mutable std::mutex mu_;  // the fleet and the levers
  std::vector<EdgeEntry> edges_;
  std::vector<EdgeHealth> health_;
  Levers levers_;
  std::set<std::string> lever_types_, edge_names_seen_;  // series to zero when they go

  mutable std::mutex view_mu_;
  std::shared_ptr<const View> view_;
  std::atomic<uint64_t> generation_{1};

  Gauge& personalise_gauge_;
  Gauge& edges_eligible_;
};

}  // namespace onair::playback
