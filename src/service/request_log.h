// Where a service writes its request log (contract/request_log.h, `--request-log FILE`): a
// background thread does the writing (spdlog's non-blocking async logger), so a slow disk never
// stalls an event loop; when its queue is full the oldest lines are dropped.
#pragma once

#include <memory>
#include <string>

#include "contract/request_log.h"
#include "core/status.h"

namespace spdlog {
class logger;
}

namespace onair::service {

class RequestLog {
 public:
  static StatusOr<std::unique_ptr<RequestLog>> Open(const std::string& path);
  ~RequestLog();
  void Write(const contract::RequestRecord& r);

 private:
  explicit RequestLog(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace onair::service
