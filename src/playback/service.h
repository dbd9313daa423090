// The playback service (`onair playback`, docs/playback.md): the call a device makes once at
// play start. POST /v1/playback/{event} with the device's description answers a manifest made
// for it (DASH or HLS: the renditions it can and may play, the edges ranked for it, content
// steering, the clock to sync to); GET /v1/steering/{event} moves running players between
// edges; POST /v1/events takes QoE batches; the web player at /watch/{event}; the operator's
// levers and the edge fleet under /admin. Built on service::Service: this file is its routes,
// its config and its periodic work.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "playback/catalog.h"
#include "playback/fleet.h"
#include "playback/levers.h"
#include "service/service.h"

namespace onair::playback {

struct PlaybackConfig {
  // Listeners, admin token (the admin API is off without one), timeouts, admission.
  service::ServiceConfig service = Defaults();
  std::vector<std::string> origins;  // where events are read from (origins or an edge), in order
  std::vector<EdgeEntry> edges;      // the fleet at start (the admin API adds and removes)
  // How devices reach this service (the clock and steering URLs in answers); "": this
  // server's own address.
  std::string public_url;
  int steering_ttl_s = 5;  // how often running players ask again where to fetch from
  std::chrono::milliseconds poll_interval{1000};  // each edge's /v1/edge/status
  std::chrono::milliseconds poll_timeout{500};
  int64_t target_latency_us = 0;  // ServiceDescription latency target; 0: 1.5 segments
  std::chrono::milliseconds first_fetch_wait{2500};  // a request waits this long for a new event
  // The metrics service QoE batches are passed on to ("": kept here, counted only).
  std::string metrics_url;
  RankOptions rank;
  CatalogOptions catalog;
  Levers levers;  // in force at start

  // The service's own defaults: adaptive admission that takes turns (docs/decisions.md), CORS
  // for web players.
  static service::ServiceConfig Defaults();
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
  int tls_port() const;
  MetricsRegistry& metrics();

 private:
  struct Impl;
  PlaybackConfig config_;
  Clock* clock_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onair::playback
