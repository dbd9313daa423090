// The metrics service's watch over the other services (docs/metrics.md, "The services'
// signals"): each round, the playback service's levers and edge fleet (its admin API), then
// the /metrics of every service named with --scrape and of every edge in the fleet, all at
// once on the service's background loop, each over a connection kept between rounds and
// within a deadline (a stopped service costs one deadline, never a stalled round).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "metrics/monitor.h"
#include "net/http_client.h"

namespace onair::metrics {

struct WatchOptions {
  std::string playback_url;                                  // "": no levers, no fleet
  std::string playback_token;                                // its admin API's bearer token
  std::vector<std::pair<std::string, std::string>> targets;  // name, base URL
  std::chrono::milliseconds timeout{800};
  uint64_t max_scrape_bytes = 8 << 20;
};

// "NAME=URL" (the --scrape flag); InvalidArgument otherwise.
StatusOr<std::pair<std::string, std::string>> ParseScrapeFlag(const std::string& flag);

class Watch {
 public:
  Watch(WatchOptions o, Clock* clock) : o_(std::move(o)), clock_(clock) {}

  // One round; on the loop that owns the watch only.
  boost::asio::awaitable<WatchRound> Round();

 private:
  boost::asio::awaitable<StatusOr<net::Response>> Get(const std::string& name,
                                                      const std::string& base_url,
                                                      const std::string& path,
                                                      const std::string& token);

  const WatchOptions o_;
  Clock* clock_;
  std::map<std::string, std::unique_ptr<net::HttpClient>> clients_;  // by name
};

}  // namespace onair::metrics
