// The edge (`onair edge`): what viewers talk to. An in-memory, bytes-bounded cache in front of
// a list of origins (failover in order, health-checked) or a parent edge; one upstream fill
// per object however many viewers ask; the bytes of an object still arriving from upstream
// streamed to every waiting viewer as they land; the origin's answers followed (holds, 404
// lifetimes to the millisecond, 410). See docs/edge.md.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "edge/cache.h"
#include "net/http_server.h"
#include "net/tls.h"

namespace onair::edge {

struct EdgeConfig {
  net::ServerOptions server;
  // Base URLs, tried in order (healthy ones first): origins, or one parent edge.
  std::vector<std::string> upstreams;
  int64_t cache_bytes = int64_t{1} << 30;
  uint32_t header_limit = 8192;
  std::chrono::milliseconds header_timeout{10'000};  // a client's whole request header
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive between requests
  std::chrono::milliseconds send_timeout{10'000};    // a viewer that does not read
  std::chrono::milliseconds connect_timeout{1'000};  // to an upstream
  // For an upstream's answer header: above the origin's hold of the next segment (D + D/4).
  std::chrono::milliseconds upstream_header_timeout{10'000};
  std::chrono::milliseconds upstream_idle_timeout{5'000};  // between body bytes
  std::chrono::milliseconds health_interval{1'000};
  // How far this machine's clock may be ahead of the origin's; segments later than the next
  // one are refused by the edge itself only beyond it (docs/edge.md).
  std::chrono::milliseconds clock_skew{500};
  // Start the fill of the next segment of every rendition watched at the live edge a quarter
  // segment before it starts, so that the viewers' stampede finds its first chunk in memory.
  bool prefetch = true;
  std::string access_log;  // a file for one line per viewer request ("": none)
  // Bearer token of the admin API (POST/DELETE /v1/edge/drain); "": the API is off.
  std::string admin_token;
  // HTTPS on its own port (-1: none; 0: the OS chooses), same host and loops.
  int tls_port = -1;
  net::TlsFiles tls;
};

class Edge {
 public:
  Edge(EdgeConfig config, Clock* clock);
  ~Edge();
  Edge(const Edge&) = delete;
  Edge& operator=(const Edge&) = delete;

  Status Start();
  void Stop();
  // Draining: still serving every request, but telling steering (/v1/edge/status) and load
  // balancers (/readyz answers 503) to send new viewers elsewhere (the admin lever ends it).
  void Drain();
  int port() const;
  int tls_port() const;
  MetricsRegistry& metrics() { return metrics_; }
  EdgeCache& cache() { return cache_; }

 private:
  struct Impl;
  EdgeConfig config_;
  Clock* clock_;
  MetricsRegistry metrics_;
  EdgeCache cache_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<net::HttpServer> server_, tls_server_;
};

}  // namespace onair::edge
