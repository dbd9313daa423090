// The live origin (`onair origin`): takes chunked PUTs of candidates from pipelines A and B,
// serves the right one to edges while it is still being written, and answers with the
// timing rules of DESIGN.md. See docs/origin.md. Built on service::Service: this file is its
// routes, its config and its periodic work; the rooms are uploads (upload.h), reads
// (reads.h), manifests (manifests.h), the admin API (admin.h) and the store (store.h).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "origin/disk_store.h"
#include "origin/store.h"
#include "service/service.h"

namespace onair::origin {

struct OriginConfig {
  // Listeners, admin token, timeouts (body_timeout: between bytes of an upload) and admission
  // (live-edge and DVR reads in flight, the loop lag they are shed at).
  service::ServiceConfig service = Defaults();
  std::string data_dir;  // "": memory only (segments leave with the window)
  std::string pipeline_token;
  bool no_auth = false;  // only for a closed test network: accept writes without a token
  std::vector<std::string> event_files;
  int64_t max_body_bytes = 64 << 20;

  // Reads in flight beyond 50 000 live-edge or 2 000 DVR reads get 503 + Retry-After, and so
  // do DVR reads when the loops lag by 50 ms, all reads at 250 ms; writes never.
  static service::ServiceConfig Defaults();
};

class Origin {
 public:
  Origin(OriginConfig config, Clock* clock);
  ~Origin();
  Status Start();
  void Stop();
  int port() const;
  int tls_port() const;
  Store& store() { return *store_; }
  MetricsRegistry& metrics() { return service_.metrics(); }
  DiskStore* disk() { return disk_.get(); }

 private:
  struct Routes;
  OriginConfig config_;
  Clock* clock_;
  service::Service service_;
  std::unique_ptr<DiskStore> disk_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Routes> routes_;
  std::atomic<bool> loaded_{false};
};

}  // namespace onair::origin
