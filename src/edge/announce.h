// An edge announcing itself to the playback service (docs/edge.md, "Announcing"): every few
// seconds it registers its name, the URL viewers reach it at and its region through the
// service's admin API (PUT /admin/edges/{name}), so that a new edge takes viewers without
// anyone editing the service's config. Registering again is harmless; a service restarted
// learns the edge at the next round. Each round is a coroutine on the edge's background loop
// (Edge::Announce schedules it).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "core/status.h"

namespace onair::edge {

struct AnnounceOptions {
  std::string service;   // the playback service's base URL
  std::string token;     // its admin token
  std::string name;      // this edge's name there (service location / pathway)
  std::string base_url;  // where viewers and the service reach this edge
  std::string region;    // "": serves every region
  int64_t max_egress_bps = 0, max_connections = 0;
  std::chrono::milliseconds interval{5000};
};

class Announcer {
 public:
  explicit Announcer(AnnounceOptions options) : o_(std::move(options)) {}
  Status Validate() const;
  // One registration; logs only when the outcome changes.
  boost::asio::awaitable<void> Once();
  const AnnounceOptions& options() const { return o_; }

 private:
  const AnnounceOptions o_;
  std::optional<bool> last_;  // the last round's outcome
};

}  // namespace onair::edge
