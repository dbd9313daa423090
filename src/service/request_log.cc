#include "service/request_log.h"

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>

namespace onair::service {

StatusOr<std::unique_ptr<RequestLog>> RequestLog::Open(const std::string& path) {
  static std::atomic<int> opened{0};
  try {
    auto logger = spdlog::create_async_nb<spdlog::sinks::basic_file_sink_mt>(
        "request-log-" + std::to_string(opened++), path);
    logger->set_pattern("%v");
    logger->flush_on(spdlog::level::info);
    return std::unique_ptr<RequestLog>(new RequestLog(std::move(logger)));
  } catch (const spdlog::spdlog_ex& e) {
    return InvalidArgument("cannot open the request log " + path + ": " + e.what());
  }
}

RequestLog::~RequestLog() {
  logger_->flush();
  spdlog::drop(logger_->name());
}

void RequestLog::Write(const contract::RequestRecord& r) {
  logger_->info("{}", contract::FormatRequestRecord(r));
}

}  // namespace onair::service
