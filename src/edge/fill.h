// The edge's upstream fills (docs/edge.md, "Collapsing"): one GET per object however many
// viewers ask, its body streamed into the cached object as it arrives so every waiting viewer
// gets each piece at once. Failover to the next upstream while nothing of the answer is known;
// a failure after that fails the object (never cached; viewers that got nothing yet fill
// again). Through the one HTTP client (net/http_client.h).
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>

#include "core/clock.h"
#include "core/metrics.h"
#include "edge/cache.h"
#include "edge/upstreams.h"

namespace onair::edge {

struct FillOptions {
  std::chrono::milliseconds connect_timeout{1'000};
  // For an upstream's answer header: above the origin's hold of the next segment (D + D/4).
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{5'000};  // between body bytes
};

class Fills {
 public:
  Fills(EdgeCache& cache, Upstreams& upstreams, Clock* clock, MetricsRegistry& metrics,
        FillOptions options);

  // The cached object for `key`, with a fill started on `ex` if it missed.
  EdgeCache::Lookup Acquire(const std::string& key, bool live,
                            const boost::asio::any_io_executor& ex);
  int64_t in_flight() const { return in_flight_.load(); }
  const FillOptions& options() const { return o_; }

 private:
  boost::asio::awaitable<void> Fill(std::shared_ptr<EdgeObject> object);

  EdgeCache& cache_;
  Upstreams& upstreams_;
  Clock* clock_;
  const FillOptions o_;
  std::atomic<int64_t> in_flight_{0};
  Counter& ok_;
  Counter& failed_;
  Counter& none_;
  Gauge& gauge_;
};

}  // namespace onair::edge
