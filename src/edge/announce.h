// An edge announcing itself to the playback service (docs/edge.md, "Announcing"): every few
// seconds it registers its name, the URL viewers reach it at and its region through the
// service's admin API (PUT /v1/admin/edges/{name}), so that a new edge takes viewers without
// anyone editing the service's config. Registering again is harmless; a service restarted
// learns the edge at the next round.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

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
  explicit Announcer(AnnounceOptions options);
  ~Announcer();
  Announcer(const Announcer&) = delete;
  Announcer& operator=(const Announcer&) = delete;

  Status Start();
  void Stop();

 private:
  void Loop();

  const AnnounceOptions o_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace onair::edge
