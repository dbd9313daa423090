// One named logger per module (spdlog, fmt-style). Never log per packet.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace onair {

std::shared_ptr<spdlog::logger> Logger(const std::string& module);
// "debug", "info", "warn", "error"; applies to every module's logger.
void SetLogLevel(const std::string& level);

}  // namespace onair
