// A pipeline's upload of one object (docs/origin.md, "Writes"): a chunked PUT with the
// pipeline token, its identity (X-Onair-Pipeline: A or B) and, in a trailer or header, the
// defects it found; the bytes become readable piece by piece as they arrive, and the origin's
// own checks run once the last one is in. A streamed route of the service skeleton.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "core/metrics.h"
#include "origin/request.h"
#include "origin/store.h"
#include "service/exchange.h"

namespace onair::origin {

struct UploadOptions {
  std::string pipeline_token;
  bool no_auth = false;  // only for a closed test network
  int64_t max_body_bytes = 64 << 20;
};

class Uploads {
 public:
  Uploads(Store& store, MetricsRegistry& metrics, UploadOptions options);

  // The PUT of an object target; returns whether the connection may carry another request.
  boost::asio::awaitable<bool> Put(service::Exchange& ex, Target t);
  // A PUT of anything else: 400 for a path that is no segment's (or could escape), 405 for a
  // path that exists but cannot be written.
  service::Response Refusal(const Target& t);

 private:
  Store& store_;
  const UploadOptions o_;
  Counter& ok_;
  Counter& aborted_;
  Counter& refused_;
  Counter& defective_;
  Counter& bytes_;
  Histogram& ack_;
};

}  // namespace onair::origin
