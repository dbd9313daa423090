// The live origin (`onair origin`): takes chunked PUTs of candidates from pipelines A and B,
// serves the right one to edges while it is still being written, and answers with the
// timing rules of DESIGN.md. See docs/origin.md.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "net/http_server.h"
#include "origin/disk_store.h"
#include "origin/store.h"

namespace onair::origin {

struct OriginConfig {
  net::ServerOptions server;
  std::string data_dir;  // "": memory only (segments leave with the window)
  std::string pipeline_token;
  std::string admin_token;
  bool no_auth = false;  // only for a closed test network: accept writes without a token
  std::vector<std::string> event_files;
  int64_t max_body_bytes = 64 << 20;
  uint32_t header_limit = 8192;
  std::chrono::milliseconds header_timeout{10'000};    // whole request header
  std::chrono::milliseconds idle_timeout{60'000};      // keep-alive between requests
  std::chrono::milliseconds body_idle_timeout{5'000};  // between bytes of an upload
  std::chrono::milliseconds send_timeout{10'000};      // a reader that does not read
  // Shedding: reads in flight beyond these get 503 + Retry-After (writes are never shed).
  int64_t max_live_reads = 50'000;
  int64_t max_dvr_reads = 2'000;
  // Event-loop lag (ms) beyond which DVR reads, then all reads, are shed.
  int64_t shed_dvr_lag_ms = 50;
  int64_t shed_live_lag_ms = 250;
};

class Origin {
 public:
  Origin(OriginConfig config, Clock* clock);
  ~Origin();
  Status Start();
  void Stop();
  int port() const { return server_ ? server_->port() : 0; }
  Store& store() { return *store_; }
  MetricsRegistry& metrics() { return metrics_; }
  DiskStore* disk() { return disk_.get(); }

 private:
  struct Impl;
  OriginConfig config_;
  Clock* clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<DiskStore> disk_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<net::HttpServer> server_;
  std::thread evict_thread_;
  std::mutex evict_mu_;
  std::condition_variable evict_cv_;
  std::atomic<bool> evict_stop_{false};
};

}  // namespace onair::origin
