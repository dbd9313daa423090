// The edge's access log: one line per viewer request, tab-separated, written by a background
// thread (a slow disk never stalls an event loop; when the queue is full the oldest lines are
// dropped). The format is documented in docs/edge.md ("Access log"); the load generator
// replays it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"

namespace spdlog {
class logger;
}

namespace onair::edge {

struct AccessRecord {
  UtcMicros at = 0;  // when the request arrived
  std::string client;
  std::string method;
  std::string target;
  int status = 0;              // 0: the client left before an answer
  uint64_t bytes = 0;          // body bytes sent
  std::string cache;           // hit | miss | collapsed
  int64_t first_byte_us = -1;  // from arrival to the first body byte (-1: none)
  int64_t total_us = 0;        // from arrival to the end
};

// time	client	method	target	status	bytes	cache	first_byte_us	total_us
std::string FormatAccessRecord(const AccessRecord& r);

class AccessLog {
 public:
  static StatusOr<std::unique_ptr<AccessLog>> Open(const std::string& path);
  ~AccessLog();
  void Write(const AccessRecord& r);

 private:
  explicit AccessLog(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace onair::edge
