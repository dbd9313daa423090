// The edges' health as the playback service learns it (docs/playback.md, "Steering"): every
// edge's /v1/edge/status asked at once, on the service's background loop, each over a
// connection kept open between polls; an edge that does not answer in time is unreachable
// until it does.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "net/http_client.h"
#include "playback/fleet.h"

namespace onair::playback {

class EdgePoller {
 public:
  EdgePoller(std::chrono::milliseconds timeout, Clock* clock) : timeout_(timeout), clock_(clock) {}

  // Every edge's health now, by name; on the loop that owns the poller only.
  boost::asio::awaitable<std::vector<std::pair<std::string, EdgeHealth>>> PollAll(
      std::vector<EdgeEntry> edges);

 private:
  boost::asio::awaitable<EdgeHealth> Poll(const EdgeEntry& edge);

  const std::chrono::milliseconds timeout_;
  Clock* clock_;
  std::map<std::string, std::unique_ptr<net::HttpClient>> clients_;  // by edge name
};

}  // namespace onair::playback
