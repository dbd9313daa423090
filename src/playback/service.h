// The playback service (`onair playback`, docs/playback.md): the call a device makes once at
// play start. POST /v1/playback/{event} with the device's description answers a manifest made
// for it (DASH or HLS: the renditions it can and may play, the edges ranked for it, content
// steering, the clock to sync to); GET /v1/steering/{event} moves running players between
// edges; admission by priority under an adaptive concurrency limit, 503 with a spread
// Retry-After when shed; the operator's levers through an admin API; /metrics.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "net/http_server.h"
#include "playback/admission.h"
#include "playback/catalog.h"
#include "playback/fleet.h"
#include "playback/levers.h"

namespace onair::playback {

struct PlaybackConfig {
  net::ServerOptions server;
  std::vector<std::string> origins;  // where events are read from (origins or an edge), in order
  std::vector<EdgeEntry> edges;      // the fleet at start (the admin API adds and removes)
  // How devices reach this service (the clock and steering URLs in answers); "": this
  // server's own address.
  std::string public_url;
  std::string admin_token;  // Bearer token of /v1/admin/...; "": the admin API is off
  int steering_ttl_s = 5;   // how often running players ask again where to fetch from
  std::chrono::milliseconds poll_interval{1000};  // each edge's /v1/edge/status
  std::chrono::milliseconds poll_timeout{500};
  int64_t target_latency_us = 0;  // ServiceDescription latency target; 0: 1.5 segments
  std::chrono::milliseconds first_fetch_wait{2500};  // a request waits this long for a new event
  uint32_t header_limit = 8192;
  std::chrono::milliseconds header_timeout{10'000};  // the whole request, header and body
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds send_timeout{10'000};
  AdmissionOptions admission;
  RankOptions rank;
  CatalogOptions catalog;
  Levers levers;  // in force at start
};

class PlaybackService {
 public:
  PlaybackService(PlaybackConfig config, Clock* clock);
  ~PlaybackService();
  PlaybackService(const PlaybackService&) = delete;
  PlaybackService& operator=(const PlaybackService&) = delete;

  Status Start();
  void Stop();
  int port() const;
  MetricsRegistry& metrics() { return metrics_; }

 private:
  struct Impl;
  PlaybackConfig config_;
  Clock* clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace onair::playback
