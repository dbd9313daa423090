#include "metrics/archive.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace onair::metrics {

namespace {

// Appends `text` to `path` whole or says why not.
Status Append(const std::string& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return Internal("cannot make the folder of " + path + ": " + ec.message());
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
  out.flush();
  if (!out) return Internal("cannot write " + path);
  return Status::Ok();
}

}  // namespace

std::string Archive::SecondsPath(const std::string& dir, const std::string& event) {
  return dir + "/" + event + "/seconds.jsonl";
}

std::string Archive::AlertsPath(const std::string& dir) { return dir + "/alerts.jsonl"; }

Status Archive::Write(const Collector& collector) {
  Status status = Status::Ok();
  for (const std::string& event : collector.Events()) {
    auto [it, fresh] = written_.emplace(event, INT64_MIN / 2);
    std::string lines;
    int64_t last = it->second;
    for (const SecondNumbers& s : collector.Closed(event, it->second + 1)) {
      lines += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      lines += '\n';
      last = s.second;
    }
    if (lines.empty()) continue;
    Status s = Append(SecondsPath(dir_, event), lines);
    if (s.ok()) {
      it->second = last;
    } else {
      status = s;
    }
  }
  std::erase_if(written_, [&](const auto& kv) { return !collector.Has(kv.first); });
  return status;
}

Status Archive::WriteAlerts(const std::vector<Alert>& changed, UtcMicros now) {
  if (changed.empty()) return Status::Ok();
  std::string lines;
  for (const Alert& a : changed) {
    nlohmann::json j = a;
    j["at"] = FormatUtc(now, true);
    lines += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return Append(AlertsPath(dir_), lines);
}

}  // namespace onair::metrics
