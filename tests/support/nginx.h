// Test support: Debian's nginx as the standard cache in front of an origin (proxy_cache),
// started by the test with a generated config in a temp dir, on a loopback port.
#pragma once

#include <memory>
#include <string>

#include "support/process.h"

namespace onair::test {

class NginxCache {
 public:
  // A caching reverse proxy to 127.0.0.1:upstream_port; its files live under dir.
  NginxCache(const std::string& dir, int upstream_port);
  ~NginxCache();
  int port() const { return port_; }  // 0 if nginx did not start
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string error_log() const;

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<Background> proc_;
};

}  // namespace onair::test
