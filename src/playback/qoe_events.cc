#include "playback/qoe_events.h"

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/event_config.h"
#include "playback/json_fields.h"

namespace onair::playback {
namespace {

constexpr const char* kWhat = "QoE batch";

QoeType TypeOf(const std::string& s) {
  static const std::pair<const char*, QoeType> kTypes[] = {
      {"start", QoeType::kStart},   {"rebuffer", QoeType::kRebuffer},
      {"switch", QoeType::kSwitch}, {"error", QoeType::kError},
      {"edge", QoeType::kEdge},     {"heartbeat", QoeType::kHeartbeat},
      {"end", QoeType::kEnd}};
  for (const auto& [name, type] : kTypes) {
    if (s == name) return type;
  }
  return QoeType::kOther;
}

// An optional number in [0, hi]; absent: -1.
Status ReadMs(const nlohmann::json& e, const char* field, double hi, double* out) {
  const auto it = e.find(field);
  if (it == e.end()) return Status::Ok();
  if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > hi) {
    return BadField(kWhat, field,
                    "must be a number of milliseconds in [0, " +
                        std::to_string(static_cast<int64_t>(hi)) + "]");
  }
  *out = it->get<double>();
  return Status::Ok();
}

Status ReadString(const nlohmann::json& j, const char* field, size_t most, bool required,
                  std::string* out) {
  const auto it = j.find(field);
  if (it == j.end()) {
    return required ? BadField(kWhat, field, "is required") : Status::Ok();
  }
  if (!it->is_string() || it->get_ref<const std::string&>().size() > most ||
      !Printable(it->get_ref<const std::string&>())) {
    return BadField(
        kWhat, field,
        "must be a printable string of at most " + std::to_string(most) + " characters");
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

}  // namespace

const char* QoeTypeName(QoeType t) {
  static const char* kNames[] = {"start", "rebuffer",  "switch", "error",
                                 "edge",  "heartbeat", "end",    "other"};
  return kNames[static_cast<int>(t)];
}

StatusOr<QoeBatch> ParseQoeBatch(const std::string& json_text) {
  if (json_text.size() > kMaxEventBatchBody) return InvalidArgument("QoE batch: too large");
  const nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("QoE batch: not a JSON object");
  if (auto v = j.find("v"); v != j.end() && (!v->is_number_integer() || v->get<int64_t>() != 1)) {
    return BadField(kWhat, "v", "must be 1");
  }
  QoeBatch b;
  ONAIR_RETURN_IF_ERROR(ReadString(j, "session", 128, true, &b.session));
  ONAIR_RETURN_IF_ERROR(ReadString(j, "event", 64, true, &b.event));
  if (b.session.empty()) return BadField(kWhat, "session", "must not be empty");
  if (!IsSafeName(b.event)) return BadField(kWhat, "event", "must be an event name");
  if (auto d = j.find("device"); d != j.end()) {
    if (!d->is_object()) return BadField(kWhat, "device", "must be an object");
    ONAIR_RETURN_IF_ERROR(ReadString(*d, "type", 32, false, &b.device_type));
    ONAIR_RETURN_IF_ERROR(ReadString(*d, "region", 64, false, &b.region));
  }
  const auto events = j.find("events");
  if (events == j.end() || !events->is_array()) {
    return BadField(kWhat, "events", "must be an array");
  }
  if (events->size() > kMaxEventsPerBatch) {
    return BadField(kWhat, "events", "has more than " + std::to_string(kMaxEventsPerBatch));
  }
  for (const nlohmann::json& e : *events) {
    if (!e.is_object()) return BadField(kWhat, "events[]", "must be objects");
    const auto type = e.find("type");
    const auto t = e.find("t");
    if (type == e.end() || !type->is_string())
      return BadField(kWhat, "events[].type", "is required");
    if (t == e.end() || !t->is_string()) return BadField(kWhat, "events[].t", "is required");
    QoeEvent ev;
    ev.type = TypeOf(type->get<std::string>());
    auto at = ParseUtc(t->get<std::string>());
    if (!at.ok()) return BadField(kWhat, "events[].t", "must be an ISO 8601 UTC time");
    ev.at_us = *at;
    ONAIR_RETURN_IF_ERROR(ReadMs(e, "ttff_ms", 3'600'000, &ev.ttff_ms));
    ONAIR_RETURN_IF_ERROR(ReadMs(e, "duration_ms", 86'400'000, &ev.duration_ms));
    b.events.push_back(ev);
  }
  return b;
}

}  // namespace onair::playback
