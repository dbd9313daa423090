#include "edge/access_log.h"

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>

namespace onair::edge {

std::string FormatAccessRecord(const AccessRecord& r) {
  std::string target = r.target;
  for (char& c : target) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';  // one record, one line
  }
  return FormatUtc(r.at, true) + "\t" + r.client + "\t" + r.method + "\t" + target + "\t" +
         std::to_string(r.status) + "\t" + std::to_string(r.bytes) + "\t" +
         (r.cache.empty() ? "-" : r.cache) + "\t" + std::to_string(r.first_byte_us) + "\t" +
         std::to_string(r.total_us);
}

StatusOr<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& path) {
  static std::atomic<int> opened{0};
  try {
    auto logger = spdlog::create_async_nb<spdlog::sinks::basic_file_sink_mt>(
        "edge-access-" + std::to_string(opened++), path);
    logger->set_pattern("%v");
    logger->flush_on(spdlog::level::info);
    return std::unique_ptr<AccessLog>(new AccessLog(std::move(logger)));
  } catch (const spdlog::spdlog_ex& e) {
    return InvalidArgument("cannot open the access log " + path + ": " + e.what());
  }
}

AccessLog::~AccessLog() {
  logger_->flush();
  spdlog::drop(logger_->name());
}

void AccessLog::Write(const AccessRecord& r) { logger_->info("{}", FormatAccessRecord(r)); }

}  // namespace onair::edge
