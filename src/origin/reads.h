// The origin's reads of init and media segments (docs/origin.md, "Answers"): the candidate
// the selection rules choose, served whole when complete or streamed piece by piece while it
// is still being written; a segment not there yet held until it is (up to its deadline), or
// refused with the lifetime of its "not yet" and "gone" answers (origin/rules.h). A route
// handler of the service skeleton; the decisions themselves are rules.h's pure functions.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <iterator>
#include <memory>

#include "core/clock.h"
#include "core/metrics.h"
#include "origin/request.h"
#include "origin/store.h"
#include "service/exchange.h"

namespace onair::origin {

class Reads {
 public:
  Reads(Store& store, Clock* clock, MetricsRegistry& metrics,
        std::chrono::milliseconds upload_idle_timeout);

  // A read's admission priority: live-edge reads (the last segments, the next ones, init
  // segments) before catch-up (DVR) reads.
  service::Priority Classify(const Target& t) const;
  // Answers a GET or HEAD of an object (kObject target).
  boost::asio::awaitable<bool> Get(service::Exchange& ex, Target t);
  // The answer when the event does not exist: said explicitly, so that an edge may answer for
  // the event itself for a while.
  static service::Response NoEvent(const std::string& event);

 private:
  boost::asio::awaitable<bool> Serve(service::Exchange& ex, const Found& found, bool live);
  Counter& Answered(int status, bool live);

  Store& store_;
  Clock* clock_;
  const std::chrono::milliseconds upload_idle_timeout_;
  static constexpr int kCodes[] = {200, 304, 404, 410, 503};
  Counter* answered_[2][std::size(kCodes)];  // [live][code]: the read path takes no lock
  Counter& read_bytes_;
  Counter& holds_;
  Histogram& read_first_byte_;
  Histogram& chunk_relay_;
};

}  // namespace onair::origin
