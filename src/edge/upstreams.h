// The edge's upstreams (docs/edge.md, "Failover"): origins, or one parent edge, tried in the
// configured order with the healthy ones first; one marked down by a failed fill or a failed
// health check (GET /healthz, every interval) and up again by a good one.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"
#include "net/url.h"

namespace onair::edge {

struct Upstream {
  explicit Upstream(net::Url u) : url(std::move(u)) {}
  net::Url url;
  std::atomic<bool> healthy{true};
};

class Upstreams {
 public:
  // `urls` must parse (checked by the caller).
  Upstreams(const std::vector<std::string>& urls, MetricsRegistry& metrics);

  // Upstreams to try, healthy ones first, each group in the configured order.
  std::vector<Upstream*> FillOrder() const;
  void MarkDown(Upstream* u, const std::string& why);
  int64_t healthy() const;
  size_t size() const { return list_.size(); }
  // Asks every upstream's /healthz (on the caller's loop) and marks each up or down.
  boost::asio::awaitable<void> CheckAll(std::chrono::milliseconds timeout);

 private:
  std::vector<std::unique_ptr<Upstream>> list_;
  Counter& errors_;
  Gauge& healthy_gauge_;
};

}  // namespace onair::edge
