#include "contract/steering.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace onair::contract {

using nlohmann::json;

std::string WriteSteering(const Steering& s) {
  json j = {{"VERSION", s.version}, {"TTL", s.ttl_s}};
  if (!s.reload_uri.empty()) j["RELOAD-URI"] = s.reload_uri;
  j[s.hls ? "PATHWAY-PRIORITY" : "SERVICE-LOCATION-PRIORITY"] = s.priority;
  if (s.cap_max_bitrate > 0 || s.cap_max_height > 0) {
    j["ONAIR-QUALITY-CAP"] = {{"max_bitrate", s.cap_max_bitrate}, {"max_height", s.cap_max_height}};
  }
  return j.dump();
}

StatusOr<Steering> ParseSteering(const std::string& json_text) {
  const json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("steering: not a JSON object");
  Steering s;
  if (auto v = j.find("VERSION"); v != j.end() && v->is_number_integer()) {
    s.version = static_cast<int>(std::clamp<int64_t>(v->get<int64_t>(), 0, 1000));
  }
  s.ttl_s = 10;
  if (auto t = j.find("TTL"); t != j.end() && t->is_number_integer()) {
    s.ttl_s = std::clamp<int64_t>(t->get<int64_t>(), 1, 3600);
  }
  if (auto r = j.find("RELOAD-URI"); r != j.end() && r->is_string()) {
    s.reload_uri = r->get<std::string>();
  }
  for (const char* key : {"SERVICE-LOCATION-PRIORITY", "PATHWAY-PRIORITY"}) {
    auto p = j.find(key);
    if (p == j.end() || !p->is_array()) continue;
    s.hls = std::string(key) == "PATHWAY-PRIORITY";
    for (const json& n : *p) {
      if (n.is_string()) s.priority.push_back(n.get<std::string>());
    }
    break;
  }
  if (auto c = j.find("ONAIR-QUALITY-CAP"); c != j.end() && c->is_object()) {
    auto whole = [&](const char* field) -> int64_t {
      auto f = c->find(field);
      return f != c->end() && f->is_number_integer() ? std::max<int64_t>(0, f->get<int64_t>()) : 0;
    };
    s.cap_max_bitrate = whole("max_bitrate");
    s.cap_max_height = whole("max_height");
  }
  return s;
}

}  // namespace onair::contract
