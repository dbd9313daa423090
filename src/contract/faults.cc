#include "contract/faults.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace onair::contract {

namespace {

using nlohmann::json;

// A name of 1-64 [a-zA-Z0-9_-], or "*".
bool RouteName(const std::string& s) {
  if (s == "*") return true;
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

StatusOr<FaultSpec> ParseRule(const json& r, const std::string& where) {
  if (!r.is_object()) return InvalidArgument(where + ": a rule is a JSON object");
  FaultSpec f;
  for (const auto& [key, value] : r.items()) {
    const std::string at = where + "." + key;
    if (key == "route") {
      if (!value.is_string() || !RouteName(value.get<std::string>())) {
        return InvalidArgument(at + ": a route's name ([a-zA-Z0-9_-], at most 64) or \"*\"");
      }
      f.route = value.get<std::string>();
    } else if (key == "path_prefix") {
      if (!value.is_string() || value.get<std::string>().size() > 256 ||
          (!value.get<std::string>().empty() && value.get<std::string>()[0] != '/')) {
        return InvalidArgument(at + ": a path starting with '/', at most 256 characters");
      }
      f.path_prefix = value.get<std::string>();
    } else if (key == "kind") {
      const std::string k = value.is_string() ? value.get<std::string>() : "";
      if (k == "delay") {
        f.kind = FaultSpec::Kind::kDelay;
      } else if (k == "abort") {
        f.kind = FaultSpec::Kind::kAbort;
      } else if (k == "reset") {
        f.kind = FaultSpec::Kind::kReset;
      } else {
        return InvalidArgument(at + ": delay, abort or reset");
      }
    } else if (key == "delay_ms") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 60'000) {
        return InvalidArgument(at + ": milliseconds, 1 to 60000");
      }
      f.delay_ms = value.get<int64_t>();
    } else if (key == "status") {
      if (!value.is_number_integer() || value.get<int64_t>() < 400 || value.get<int64_t>() > 599) {
        return InvalidArgument(at + ": an HTTP error status, 400 to 599");
      }
      f.status = static_cast<int>(value.get<int64_t>());
    } else if (key == "share") {
      if (!value.is_number() || !(value.get<double>() > 0) || value.get<double>() > 1) {
        return InvalidArgument(at + ": a share of the requests, more than 0 and at most 1");
      }
      f.share = value.get<double>();
    } else if (key == "count" || key == "seconds") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
          value.get<int64_t>() > 1'000'000'000) {
        return InvalidArgument(at + ": a whole number, 1 to 1000000000");
      }
      (key == "count" ? f.count : f.seconds) = value.get<int64_t>();
    } else {
      return InvalidArgument(at + ": unknown field");
    }
  }
  if (!r.contains("route")) return InvalidArgument(where + ".route: required");
  if (!r.contains("kind")) return InvalidArgument(where + ".kind: required");
  if (f.kind == FaultSpec::Kind::kDelay && f.delay_ms == 0) {
    return InvalidArgument(where + ".delay_ms: required for a delay");
  }
  return f;
}

}  // namespace

const char* FaultKindName(FaultSpec::Kind kind) {
  switch (kind) {
    case FaultSpec::Kind::kDelay:
      return "delay";
    case FaultSpec::Kind::kAbort:
      return "abort";
    case FaultSpec::Kind::kReset:
      return "reset";
  }
  return "abort";
}

StatusOr<std::vector<FaultSpec>> ParseFaults(const std::string& json_text) {
  const json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgument("the body must be a JSON object: {\"faults\": [...]}");
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "faults") return InvalidArgument(key + ": unknown field (expected \"faults\")");
  }
  const auto list = j.find("faults");
  if (list == j.end() || !list->is_array()) return InvalidArgument("faults: a list of rules");
  if (list->size() > 64) return InvalidArgument("faults: at most 64 rules");
  std::vector<FaultSpec> out;
  for (size_t k = 0; k < list->size(); ++k) {
    auto rule = ParseRule((*list)[k], "faults[" + std::to_string(k) + "]");
    if (!rule.ok()) return rule.status();
    out.push_back(*rule);
  }
  return out;
}

std::string WriteFaults(const std::vector<FaultSpec>& faults) {
  json list = json::array();
  for (const FaultSpec& f : faults) {
    json r = {{"route", f.route}, {"kind", FaultKindName(f.kind)}, {"share", f.share}};
    if (!f.path_prefix.empty()) r["path_prefix"] = f.path_prefix;
    if (f.kind == FaultSpec::Kind::kDelay) r["delay_ms"] = f.delay_ms;
    if (f.kind == FaultSpec::Kind::kAbort) r["status"] = f.status;
    if (f.count >= 0) r["count"] = f.count;
    if (f.seconds >= 0) r["seconds"] = f.seconds;
    list.push_back(std::move(r));
  }
  return json{{"faults", list}}.dump();
}

}  // namespace onair::contract
