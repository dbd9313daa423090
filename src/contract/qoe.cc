#include "contract/qoe.h"

#include <nlohmann/json.hpp>

#include "contract/json_fields.h"
#include "core/event_config.h"

namespace onair::contract {
namespace {

using json = nlohmann::json;
constexpr const char* kWhat = "QoE batch";
constexpr const char* kNames[kQoeTypes] = {"start", "rebuffer",  "switch", "error",
                                           "edge",  "heartbeat", "end",    "other"};

QoeType TypeOf(const std::string& s) {
  for (int t = 0; t + 1 < kQoeTypes; ++t) {
    if (s == kNames[t]) return static_cast<QoeType>(t);
  }
  return QoeType::kOther;
}

// An optional number in [0, hi]; absent: left as is.
Status ReadNumber(const json& e, const char* field, double hi, double* out) {
  const auto it = e.find(field);
  if (it == e.end()) return Status::Ok();
  if (!it->is_number() || !(it->get<double>() >= 0) || it->get<double>() > hi) {
    return BadField(kWhat, "events[]." + std::string(field),
                    "must be a number in [0, " + std::to_string(static_cast<int64_t>(hi)) + "]");
  }
  *out = it->get<double>();
  return Status::Ok();
}

Status ReadWhole(const json& e, const char* field, int64_t hi, int64_t* out) {
  const auto it = e.find(field);
  if (it == e.end()) return Status::Ok();
  if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > hi) {
    return BadField(kWhat, "events[]." + std::string(field),
                    "must be a whole number in [0, " + std::to_string(hi) + "]");
  }
  *out = it->get<int64_t>();
  return Status::Ok();
}

// A string field of at most `most` characters; `printable`: no spaces or control characters.
Status ReadString(const json& j, const std::string& where, const char* field, size_t most,
                  bool required, bool printable, std::string* out) {
  const auto it = j.find(field);
  if (it == j.end()) {
    return required ? BadField(kWhat, where + field, "is required") : Status::Ok();
  }
  if (!it->is_string() || it->get_ref<const std::string&>().size() > most ||
      (printable && !Printable(it->get_ref<const std::string&>()))) {
    return BadField(kWhat, where + field,
                    std::string("must be a ") + (printable ? "printable " : "") +
                        "string of at most " + std::to_string(most) + " characters");
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

// An optional boolean, as 0 or 1; absent: left as is.
Status ReadFlag(const json& e, const char* field, int* out) {
  const auto it = e.find(field);
  if (it == e.end()) return Status::Ok();
  if (!it->is_boolean())
    return BadField(kWhat, "events[]." + std::string(field), "must be true or false");
  *out = it->get<bool>() ? 1 : 0;
  return Status::Ok();
}

StatusOr<QoeEvent> ReadEvent(const json& e) {
  if (!e.is_object()) return BadField(kWhat, "events[]", "must be objects");
  const auto type = e.find("type");
  const auto t = e.find("t");
  if (type == e.end() || !type->is_string()) return BadField(kWhat, "events[].type", "is required");
  if (t == e.end() || !t->is_string()) return BadField(kWhat, "events[].t", "is required");
  QoeEvent ev;
  ev.type = TypeOf(type->get<std::string>());
  auto at = ParseUtc(t->get<std::string>());
  if (!at.ok()) return BadField(kWhat, "events[].t", "must be an ISO 8601 UTC time");
  ev.at_us = *at;
  const std::string in = "events[].";
  ONAIR_RETURN_IF_ERROR(ReadNumber(e, "ttff_ms", 3'600'000, &ev.ttff_ms));
  ONAIR_RETURN_IF_ERROR(ReadNumber(e, "duration_ms", 86'400'000, &ev.duration_ms));
  ONAIR_RETURN_IF_ERROR(ReadNumber(e, "played_s", 86'400.0 * 365, &ev.played_s));
  ONAIR_RETURN_IF_ERROR(ReadWhole(e, "bitrate", int64_t{1} << 40, &ev.bitrate));
  ONAIR_RETURN_IF_ERROR(ReadWhole(e, "buffer_ms", 86'400'000, &ev.buffer_ms));
  ONAIR_RETURN_IF_ERROR(ReadWhole(e, "latency_ms", 86'400'000, &ev.latency_ms));
  ONAIR_RETURN_IF_ERROR(ReadWhole(e, "rebuffers", 1'000'000'000, &ev.rebuffers));
  ONAIR_RETURN_IF_ERROR(ReadString(e, in, "edge", 1024, false, false, &ev.edge));
  ONAIR_RETURN_IF_ERROR(ReadString(e, in, "from", 1024, false, false, &ev.from));
  ONAIR_RETURN_IF_ERROR(ReadString(e, in, "to", 1024, false, false, &ev.to));
  ONAIR_RETURN_IF_ERROR(ReadString(e, in, "kind", 64, false, true, &ev.kind));
  ONAIR_RETURN_IF_ERROR(ReadString(e, in, "detail", 1024, false, false, &ev.detail));
  ONAIR_RETURN_IF_ERROR(ReadString(e, in, "state", 32, false, true, &ev.state));
  ONAIR_RETURN_IF_ERROR(ReadString(e, in, "rendition", 64, false, true, &ev.rendition));
  ONAIR_RETURN_IF_ERROR(ReadString(e, in, "codec", 32, false, true, &ev.codec));
  ONAIR_RETURN_IF_ERROR(ReadWhole(e, "played_ms", 86'400'000, &ev.played_ms));
  ONAIR_RETURN_IF_ERROR(ReadWhole(e, "stalled_ms", 86'400'000, &ev.stalled_ms));
  ONAIR_RETURN_IF_ERROR(ReadFlag(e, "top", &ev.top));
  ONAIR_RETURN_IF_ERROR(ReadFlag(e, "fatal", &ev.fatal));
  ONAIR_RETURN_IF_ERROR(ReadFlag(e, "started", &ev.started));
  return ev;
}

}  // namespace

const char* QoeTypeName(QoeType t) { return kNames[static_cast<int>(t)]; }

std::string QoeCodecFamily(std::string_view codecs) {
  const std::string_view f = codecs.substr(0, 4);
  if (f == "avc1" || f == "avc3") return "avc";
  if (f == "hvc1" || f == "hev1") return "hevc";
  if (f == "av01") return "av1";
  if (f == "mp4a") return "aac";
  return std::string(f);
}

std::string WriteQoeBatch(const QoeBatch& b) {
  json events = json::array();
  for (const QoeEvent& e : b.events) {
    json j = {{"type", QoeTypeName(e.type)}, {"t", FormatUtc(e.at_us, true)}};
    if (e.ttff_ms >= 0) j["ttff_ms"] = e.ttff_ms;
    if (e.duration_ms >= 0) j["duration_ms"] = e.duration_ms;
    if (!e.edge.empty()) j["edge"] = e.edge;
    if (!e.from.empty()) j["from"] = e.from;
    if (!e.to.empty()) j["to"] = e.to;
    if (e.bitrate >= 0) j["bitrate"] = e.bitrate;
    if (!e.kind.empty()) j["kind"] = e.kind;
    if (!e.detail.empty()) j["detail"] = e.detail;
    if (!e.state.empty()) j["state"] = e.state;
    if (e.buffer_ms >= 0) j["buffer_ms"] = e.buffer_ms;
    if (e.latency_ms >= 0) j["latency_ms"] = e.latency_ms;
    if (e.played_s >= 0) j["played_s"] = e.played_s;
    if (e.rebuffers >= 0) j["rebuffers"] = e.rebuffers;
    if (!e.rendition.empty()) j["rendition"] = e.rendition;
    if (!e.codec.empty()) j["codec"] = e.codec;
    if (e.played_ms >= 0) j["played_ms"] = e.played_ms;
    if (e.stalled_ms >= 0) j["stalled_ms"] = e.stalled_ms;
    if (e.top >= 0) j["top"] = e.top == 1;
    if (e.fatal >= 0) j["fatal"] = e.fatal == 1;
    if (e.started >= 0) j["started"] = e.started == 1;
    events.push_back(std::move(j));
  }
  json device = json::object();
  if (!b.device_type.empty()) device["type"] = b.device_type;
  if (!b.region.empty()) device["region"] = b.region;
  json out = {{"v", 1}, {"session", b.session}, {"event", b.event}, {"events", events}};
  if (!device.empty()) out["device"] = device;
  // A detail may quote what a server sent: bytes that are not UTF-8 are replaced, not thrown.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

StatusOr<QoeBatch> ParseQoeBatch(const std::string& json_text) {
  if (json_text.size() > kMaxEventBatchBody) return InvalidArgument("QoE batch: too large");
  const json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("QoE batch: not a JSON object");
  if (auto v = j.find("v"); v != j.end() && (!v->is_number_integer() || v->get<int64_t>() != 1)) {
    return BadField(kWhat, "v", "must be 1");
  }
  QoeBatch b;
  ONAIR_RETURN_IF_ERROR(ReadString(j, "", "session", 128, true, true, &b.session));
  ONAIR_RETURN_IF_ERROR(ReadString(j, "", "event", 64, true, true, &b.event));
  if (b.session.empty()) return BadField(kWhat, "session", "must not be empty");
  if (!IsSafeName(b.event)) return BadField(kWhat, "event", "must be an event name");
  if (auto d = j.find("device"); d != j.end()) {
    if (!d->is_object()) return BadField(kWhat, "device", "must be an object");
    ONAIR_RETURN_IF_ERROR(ReadString(*d, "device.", "type", 32, false, true, &b.device_type));
    ONAIR_RETURN_IF_ERROR(ReadString(*d, "device.", "region", 64, false, true, &b.region));
  }
  const auto events = j.find("events");
  if (events == j.end() || !events->is_array()) {
    return BadField(kWhat, "events", "must be an array");
  }
  if (events->size() > kMaxEventsPerBatch) {
    return BadField(kWhat, "events", "has more than " + std::to_string(kMaxEventsPerBatch));
  }
  for (const json& e : *events) {
    auto ev = ReadEvent(e);
    if (!ev.ok()) return ev.status();
    b.events.push_back(std::move(*ev));
  }
  return b;
}

}  // namespace onair::contract
