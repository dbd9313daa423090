#include "playback/levers.h"

#include <nlohmann/json.hpp>

#include "contract/json_fields.h"

namespace onair::playback {

namespace {

using json = nlohmann::json;
using contract::BadField;
using contract::ReadInt;
using contract::ReadNames;
const char* kWhat = "levers";

StatusOr<QualityCap> ReadCap(const json& j, const std::string& field) {
  QualityCap cap;
  if (j.is_null()) return cap;
  if (!j.is_object()) return BadField(kWhat, field, "must be an object or null");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() != "max_height" && it.key() != "max_bitrate") {
      return BadField(kWhat, field, "has an unknown cap '" + it.key() + "'");
    }
  }
  int64_t height = 0;
  const std::string what = std::string(kWhat) + ": " + field;
  if (Status s = ReadInt(j, what, "max_height", 16, 16384, &height); !s.ok()) return s;
  if (Status s = ReadInt(j, what, "max_bitrate", 10'000, 10'000'000'000, &cap.max_bitrate);
      !s.ok()) {
    return s;
  }
  cap.max_height = static_cast<int>(height);
  return cap;
}

json CapJson(const QualityCap& c) {
  json j = json::object();
  if (c.max_height > 0) j["max_height"] = c.max_height;
  if (c.max_bitrate > 0) j["max_bitrate"] = c.max_bitrate;
  return j;
}

}  // namespace

StatusOr<Levers> ApplyLevers(const Levers& current, const std::string& json_text) {
  if (json_text.size() > 64 * 1024) return InvalidArgument("levers: larger than 64 KiB");
  const json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("levers: not a JSON object");
  Levers out = current;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "quality") {
      auto cap = ReadCap(*it, k);
      if (!cap.ok()) return cap.status();
      out.quality.all = *cap;
    } else if (k == "quality_by_type") {
      if (!it->is_object() || it->size() > 16) {
        return BadField(kWhat, k, "must be an object of at most 16 device types");
      }
      out.quality.by_type.clear();
      for (auto t = it->begin(); t != it->end(); ++t) {
        if (!IsSafeName(t.key())) return BadField(kWhat, k, "has a bad device type");
        auto cap = ReadCap(*t, k + "." + t.key());
        if (!cap.ok()) return cap.status();
        out.quality.by_type.emplace_back(t.key(), *cap);
      }
    } else if (k == "personalisation") {
      if (!it->is_boolean()) return BadField(kWhat, k, "must be true or false");
      out.personalise = it->get<bool>();
    } else if (k == "drained_edges") {
      if (Status s = ReadNames(j, kWhat, "drained_edges", 256, &out.drained, true); !s.ok()) {
        return s;
      }
    } else {
      return InvalidArgument("levers: unknown lever '" + k + "'");
    }
  }
  return out;
}

std::string LeversToJson(const Levers& l) {
  json by_type = json::object();
  for (const auto& [type, cap] : l.quality.by_type) by_type[type] = CapJson(cap);
  const json j = {{"quality", CapJson(l.quality.all)},
                  {"quality_by_type", by_type},
                  {"personalisation", l.personalise},
                  {"drained_edges", l.drained}};
  return j.dump();
}

}  // namespace onair::playback
