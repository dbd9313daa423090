// The edge (`onair edge`): what viewers talk to. An in-memory, bytes-bounded cache in front of
// a list of origins (failover in order, health-checked) or a parent edge; one upstream fill
// per object however many viewers ask; the bytes of an object still arriving from upstream
// streamed to every waiting viewer as they land; the origin's answers followed (holds, 404
// lifetimes to the millisecond, 410). See docs/edge.md. Built on service::Service: this file
// is its routes, its config and its periodic work; the rooms are the cache (cache.h), fills
// (fill.h), delivery to viewers (deliver.h), freshness and keys (freshness.h), the event
// timings (timing.h), the live edge and prefetch (live_edge.h) and the upstreams
// (upstreams.h).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "edge/announce.h"
#include "edge/cache.h"
#include "edge/fill.h"
#include "service/service.h"

namespace onair::edge {

struct EdgeConfig {
  // Listeners (HTTPS with a certificate), the admin token (POST/DELETE /admin/drain; none:
  // the API is off), timeouts, admission (shedding by loop lag: catch-up reads first).
  service::ServiceConfig service = Defaults();
  // Base URLs, tried in order (healthy ones first): origins, or one parent edge.
  std::vector<std::string> upstreams;
  int64_t cache_bytes = int64_t{1} << 30;
  FillOptions fill;
  std::chrono::milliseconds health_interval{1'000};
  // How far this machine's clock may be ahead of the origin's; segments later than the next
  // one are refused by the edge itself only beyond it (docs/edge.md).
  std::chrono::milliseconds clock_skew{500};
  // Start the fill of the next segment of every rendition watched at the live edge a quarter
  // segment before it starts, so that the viewers' stampede finds its first chunk in memory.
  bool prefetch = true;

  static service::ServiceConfig Defaults();
};

class Edge {
 public:
  Edge(EdgeConfig config, Clock* clock);
  ~Edge();
  Edge(const Edge&) = delete;
  Edge& operator=(const Edge&) = delete;

  Status Start();
  void Stop();
  // Draining: still serving every request, but telling steering (/v1/edge/status) and load
  // balancers (/readyz answers 503) to send new viewers elsewhere (the admin lever ends it).
  void Drain();
  // Registers this edge with the playback service every few seconds (after Start).
  Status Announce(AnnounceOptions options);
  int port() const;
  int tls_port() const;
  MetricsRegistry& metrics();
  EdgeCache& cache() { return cache_; }

 private:
  struct Impl;
  EdgeConfig config_;
  Clock* clock_;
  EdgeCache cache_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onair::edge
