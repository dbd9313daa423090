// One viewer's response from a cached or filling object (docs/edge.md, "Streaming"): nothing
// until the first body byte (or the end) is there, so that a fill failing before it can still
// be retried; then the whole object with its length, or chunk after chunk as they arrive,
// each write carrying everything that arrived since the last. The upstream's headers go out
// as they came, with the lifetime left of a "not yet" answer and the object's age.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <chrono>

#include "core/clock.h"
#include "core/metrics.h"
#include "edge/cache.h"
#include "service/exchange.h"

namespace onair::edge {

// What one viewer got, for the request log.
struct Served {
  int status = 0;
  uint64_t bytes = 0;
  MonoTime first_byte{};
  EdgeCache::Kind kind = EdgeCache::Kind::kMiss;
  bool own = false;  // answered by the edge itself
};

const char* CacheName(EdgeCache::Kind kind);

class Delivery {
 public:
  Delivery(EdgeCache& cache, Clock* clock, MetricsRegistry& metrics,
           std::chrono::milliseconds fill_wait_limit);

  enum class Outcome { kDone, kClosed, kRetry };
  boost::asio::awaitable<Outcome> Deliver(service::Exchange& ex, const EdgeCache::Lookup& found,
                                          Served& served);
  // The answer's header for a viewer: the upstream's own, with the lifetime left.
  boost::beast::http::response<boost::beast::http::empty_body> HeaderFor(
      const EdgeObject::Answer& a, unsigned version, EdgeCache::Kind kind) const;
  Counter& stale_served() { return stale_served_; }
  Counter& egress() { return egress_; }

 private:
  EdgeCache& cache_;
  Clock* clock_;
  const std::chrono::milliseconds wait_limit_;
  Counter& egress_;
  Counter& stale_served_;
  Counter& cut_;
  Histogram& first_byte_;
};

}  // namespace onair::edge
