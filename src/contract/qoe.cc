#include "contract/qoe.h"

#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "contract/json_fields.h"
#include "core/event_config.h"

namespace onair::contract {
namespace {

using json = nlohmann::json;
namespace dom = simdjson::dom;
constexpr const char* kWhat = "QoE batch";
constexpr const char* kNames[kQoeTypes] = {"start", "rebuffer",  "switch", "error",
                                           "edge",  "heartbeat", "end",    "other"};

QoeType TypeOf(std::string_view s) {
  for (int t = 0; t + 1 < kQoeTypes; ++t) {
    if (s == kNames[t]) return static_cast<QoeType>(t);
  }
  return QoeType::kOther;
}

// The fields an event may carry, read in one pass over its members (the last of a repeated
// member wins, as before); each check names its field.
enum class Kind { kNumber, kWhole, kString, kPrintable, kFlag };
struct Field {
  std::string_view name;
  Kind kind;
  double most;  // numbers: the largest value; strings: the longest
  double QoeEvent::*number = nullptr;
  int64_t QoeEvent::*whole = nullptr;
  std::string QoeEvent::*text = nullptr;
  int QoeEvent::*flag = nullptr;
};
const Field kFields[] = {
    {"ttff_ms", Kind::kNumber, 3'600'000, &QoeEvent::ttff_ms},
    {"duration_ms", Kind::kNumber, 86'400'000, &QoeEvent::duration_ms},
    {"played_s", Kind::kNumber, 86'400.0 * 365, &QoeEvent::played_s},
    {"bitrate", Kind::kWhole, static_cast<double>(int64_t{1} << 40), nullptr, &QoeEvent::bitrate},
    {"buffer_ms", Kind::kWhole, 86'400'000, nullptr, &QoeEvent::buffer_ms},
    {"latency_ms", Kind::kWhole, 86'400'000, nullptr, &QoeEvent::latency_ms},
    {"rebuffers", Kind::kWhole, 1'000'000'000, nullptr, &QoeEvent::rebuffers},
    {"played_ms", Kind::kWhole, 86'400'000, nullptr, &QoeEvent::played_ms},
    {"stalled_ms", Kind::kWhole, 86'400'000, nullptr, &QoeEvent::stalled_ms},
    {"edge", Kind::kString, 1024, nullptr, nullptr, &QoeEvent::edge},
    {"from", Kind::kString, 1024, nullptr, nullptr, &QoeEvent::from},
    {"to", Kind::kString, 1024, nullptr, nullptr, &QoeEvent::to},
    {"detail", Kind::kString, 1024, nullptr, nullptr, &QoeEvent::detail},
    {"kind", Kind::kPrintable, 64, nullptr, nullptr, &QoeEvent::kind},
    {"state", Kind::kPrintable, 32, nullptr, nullptr, &QoeEvent::state},
    {"rendition", Kind::kPrintable, 64, nullptr, nullptr, &QoeEvent::rendition},
    {"codec", Kind::kPrintable, 32, nullptr, nullptr, &QoeEvent::codec},
    {"top", Kind::kFlag, 1, nullptr, nullptr, nullptr, &QoeEvent::top},
    {"fatal", Kind::kFlag, 1, nullptr, nullptr, nullptr, &QoeEvent::fatal},
    {"started", Kind::kFlag, 1, nullptr, nullptr, nullptr, &QoeEvent::started},
};

Status BadString(std::string_view where, std::string_view field, size_t most, bool printable) {
  return BadField(kWhat, std::string(where) + std::string(field),
                  std::string("must be a ") + (printable ? "printable " : "") +
                      "string of at most " + std::to_string(most) + " characters");
}

// A string member of at most `most` characters; `printable`: no spaces or control characters.
Status ReadText(dom::element v, std::string_view where, std::string_view field, size_t most,
                bool printable, std::string* out) {
  std::string_view s;
  if (v.get_string().get(s) || s.size() > most || (printable && !Printable(s))) {
    return BadString(where, field, most, printable);
  }
  out->assign(s);
  return Status::Ok();
}

Status ReadMember(const Field& f, dom::element v, QoeEvent* ev) {
  const auto field = [&] { return "events[]." + std::string(f.name); };  // for an error only
  switch (f.kind) {
    case Kind::kNumber: {
      double d = 0;
      if (!v.is_number() || v.get_double().get(d) || !(d >= 0) || d > f.most) {
        return BadField(
            kWhat, field(),
            "must be a number in [0, " + std::to_string(static_cast<int64_t>(f.most)) + "]");
      }
      ev->*f.number = d;
      return Status::Ok();
    }
    case Kind::kWhole: {
      int64_t n = 0;
      if (!v.is_int64() || v.get_int64().get(n) || n < 0 || static_cast<double>(n) > f.most) {
        return BadField(
            kWhat, field(),
            "must be a whole number in [0, " + std::to_string(static_cast<int64_t>(f.most)) + "]");
      }
      ev->*f.whole = n;
      return Status::Ok();
    }
    case Kind::kString:
    case Kind::kPrintable:
      return ReadText(v, "events[].", f.name, static_cast<size_t>(f.most),
                      f.kind == Kind::kPrintable, &(ev->*f.text));
    case Kind::kFlag: {
      bool b = false;
      if (v.get_bool().get(b)) return BadField(kWhat, field(), "must be true or false");
      ev->*f.flag = b ? 1 : 0;
      return Status::Ok();
    }
  }
  return Status::Ok();
}

StatusOr<QoeEvent> ReadEvent(dom::element e) {
  dom::object members;
  if (e.get_object().get(members)) return BadField(kWhat, "events[]", "must be objects");
  QoeEvent ev;
  bool typed = false, timed = false;
  for (const dom::key_value_pair m : members) {
    if (m.key == "type") {
      std::string_view type;
      if (m.value.get_string().get(type)) return BadField(kWhat, "events[].type", "is required");
      ev.type = TypeOf(type);
      typed = true;
    } else if (m.key == "t") {
      std::string_view t;
      if (m.value.get_string().get(t)) return BadField(kWhat, "events[].t", "is required");
      auto at = ParseUtc(t);
      if (!at.ok()) return BadField(kWhat, "events[].t", "must be an ISO 8601 UTC time");
      ev.at_us = *at;
      timed = true;
    } else {
      for (const Field& f : kFields) {
        if (m.key == f.name) {
          ONAIR_RETURN_IF_ERROR(ReadMember(f, m.value, &ev));
          break;
        }
      }
    }
  }
  if (!typed) return BadField(kWhat, "events[].type", "is required");
  if (!timed) return BadField(kWhat, "events[].t", "is required");
  return ev;
}

// A string member of an object; absent: `required` says whether that is an error.
Status ReadText(dom::object o, const std::string& where, const char* field, size_t most,
                bool required, bool printable, std::string* out) {
  dom::element v;
  if (o.at_key(field).get(v)) {
    return required ? BadField(kWhat, where + field, "is required") : Status::Ok();
  }
  return ReadText(v, where, field, most, printable, out);
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
  // simdjson: the hot path of the metrics service's ingest (docs/metrics.md, "Ingest"). One
  // parser per thread keeps its buffers from batch to batch.
  thread_local dom::parser parser;
  dom::element doc;
  dom::object j;
  if (parser.parse(json_text).get(doc) || doc.get_object().get(j)) {
    return InvalidArgument("QoE batch: not a JSON object");
  }
  if (dom::element v; !j.at_key("v").get(v)) {
    int64_t n = 0;
    if (!v.is_int64() || v.get_int64().get(n) || n != 1) return BadField(kWhat, "v", "must be 1");
  }
  QoeBatch b;
  ONAIR_RETURN_IF_ERROR(ReadText(j, "", "session", 128, true, true, &b.session));
  ONAIR_RETURN_IF_ERROR(ReadText(j, "", "event", 64, true, true, &b.event));
  if (b.session.empty()) return BadField(kWhat, "session", "must not be empty");
  if (!IsSafeName(b.event)) return BadField(kWhat, "event", "must be an event name");
  if (dom::element d; !j.at_key("device").get(d)) {
    dom::object device;
    if (d.get_object().get(device)) return BadField(kWhat, "device", "must be an object");
    ONAIR_RETURN_IF_ERROR(ReadText(device, "device.", "type", 32, false, true, &b.device_type));
    ONAIR_RETURN_IF_ERROR(ReadText(device, "device.", "region", 64, false, true, &b.region));
  }
  dom::array events;
  if (j.at_key("events").get_array().get(events)) {
    return BadField(kWhat, "events", "must be an array");
  }
  if (events.size() > kMaxEventsPerBatch) {
    return BadField(kWhat, "events", "has more than " + std::to_string(kMaxEventsPerBatch));
  }
  b.events.reserve(events.size());
  for (const dom::element e : events) {
    auto ev = ReadEvent(e);
    if (!ev.ok()) return ev.status();
    b.events.push_back(std::move(*ev));
  }
  return b;
}

}  // namespace onair::contract
