#include "core/event_config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace onair {

namespace {

using nlohmann::json;

StatusOr<int64_t> SecondsToMicros(const json& v, const std::string& field) {
  if (!v.is_number()) return InvalidArgument(field + " must be a number of seconds");
  const double s = v.get<double>();
  const double us = s * 1e6;
  const auto rounded = static_cast<int64_t>(us + 0.5);
  if (s <= 0 || s > 60) return InvalidArgument(field + " must be in (0, 60] seconds");
  if (rounded % 1000 != 0) return InvalidArgument(field + " must be a whole number of ms");
  return rounded;
}

Status ParseRendition(const json& j, RenditionConfig& r) {
  if (!j.is_object()) return InvalidArgument("each ladder entry must be an object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    static const std::set<std::string> known = {"name",    "codec",        "width", "height",
                                                "bitrate", "rate_control", "crf",   "preset",
                                                "tune",    "scale_from"};
    if (!known.count(it.key())) return InvalidArgument("unknown ladder field '" + it.key() + "'");
  }
  // Whole numbers only: a float (1e30) cast to an integer is undefined (found by the fuzzer).
  for (const char* k : {"width", "height", "bitrate", "crf"}) {
    if (j.contains(k) && (!j[k].is_number_integer() || j[k].get<int64_t>() < 0 ||
                          j[k].get<int64_t>() > (int64_t{1} << 40))) {
      return InvalidArgument(std::string("ladder entry: ") + k + " must be a whole number");
    }
  }
  try {
    r.name = j.at("name").get<std::string>();
    const std::string codec = j.value("codec", "h264");
    if (codec == "h264" || codec == "avc") {
      r.codec = VideoCodec::kH264;
    } else if (codec == "h265" || codec == "hevc") {
      r.codec = VideoCodec::kH265;
    } else {
      return InvalidArgument("rendition '" + r.name + "': codec must be h264 or h265, not '" +
                             codec + "'");
    }
    r.width = j.at("width").get<int>();
    r.height = j.at("height").get<int>();
    r.bitrate = j.at("bitrate").get<int64_t>();
    const std::string rc = j.value("rate_control", "cbr");
    if (rc == "cbr") {
      r.rate_control = RateControl::kCbr;
    } else if (rc == "vbr" || rc == "capped_vbr") {
      r.rate_control = RateControl::kCappedVbr;
    } else {
      return InvalidArgument("rendition '" + r.name + "': rate_control must be cbr or capped_vbr");
    }
    r.crf = j.value("crf", 23);
    r.preset = j.value("preset", "veryfast");
    r.tune = j.value("tune", "");
    const std::string from = j.value("scale_from", "source");
    if (from != "source" && from != "above") {
      return InvalidArgument("rendition '" + r.name + "': scale_from must be source or above");
    }
    r.scale_from_above = from == "above";
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("ladder entry: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace

const char* VideoCodecName(VideoCodec c) { return c == VideoCodec::kH264 ? "h264" : "h265"; }

bool IsSafeName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '-') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status ValidateEventConfig(const EventConfig& c) {
  if (!IsSafeName(c.event)) {
    return InvalidArgument("event name '" + c.event + "' must be 1-64 of [A-Za-z0-9_-]");
  }
  if (c.segment_us <= 0 || c.segment_us % 1000 != 0) {
    return InvalidArgument("segment duration must be a positive whole number of ms");
  }
  if (c.chunk_us <= 0 || c.chunk_us > c.segment_us || c.chunk_us % 1000 != 0) {
    return InvalidArgument("chunk duration must be whole ms in (0, segment duration]");
  }
  const double frames_per_segment =
      c.frame_rate.ToDouble() * static_cast<double>(c.segment_us) / 1e6;
  if (frames_per_segment < 1.0) return InvalidArgument("a segment must hold at least one frame");
  if (c.ladder.empty()) return InvalidArgument("the ladder needs at least one rendition");
  std::set<std::string> names = {c.audio.name};
  for (size_t i = 0; i < c.ladder.size(); ++i) {
    const RenditionConfig& r = c.ladder[i];
    if (!IsSafeName(r.name)) {
      return InvalidArgument("rendition name '" + r.name + "' must be 1-64 of [A-Za-z0-9_-]");
    }
    if (!names.insert(r.name).second) {
      return InvalidArgument("rendition name '" + r.name + "' is used twice");
    }
    if (r.width < 16 || r.height < 16 || r.width > 7680 || r.height > 4320 || r.width % 2 ||
        r.height % 2) {
      return InvalidArgument("rendition '" + r.name + "': size must be even, 16x16..7680x4320");
    }
    if (r.bitrate < 10000 || r.bitrate > 200000000) {
      return InvalidArgument("rendition '" + r.name + "': bitrate must be 10k..200M bit/s");
    }
    if (r.crf < 0 || r.crf > 51) return InvalidArgument("rendition '" + r.name + "': crf 0..51");
    static const std::set<std::string> presets = {"ultrafast", "superfast", "veryfast",
                                                  "faster",    "fast",      "medium",
                                                  "slow",      "slower",    "veryslow"};
    if (!presets.count(r.preset)) {
      return InvalidArgument("rendition '" + r.name + "': unknown preset '" + r.preset + "'");
    }
    if (r.scale_from_above) {
      if (i == 0) return InvalidArgument("the first rendition cannot scale from above");
      const RenditionConfig& above = c.ladder[i - 1];
      if (above.width < r.width || above.height < r.height) {
        return InvalidArgument("rendition '" + r.name +
                               "' scales from above but the rung above is smaller");
      }
    }
  }
  if (c.window_us < c.segment_us) {
    return InvalidArgument("window must hold at least one segment");
  }
  if (c.preferred_pipeline != "A" && c.preferred_pipeline != "B") {
    return InvalidArgument("preferred_pipeline must be A or B");
  }
  if (c.audio.bitrate < 16000 || c.audio.bitrate > 512000) {
    return InvalidArgument("audio bitrate must be 16k..512k bit/s");
  }
  return Status::Ok();
}

StatusOr<EventConfig> ParseEventConfig(const std::string& json_text) {
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("event config is not valid JSON");
  if (!j.is_object()) return InvalidArgument("event config must be a JSON object");
  EventConfig c;
  try {
    for (auto it = j.begin(); it != j.end(); ++it) {
      static const std::set<std::string> known = {
          "event",  "ast",   "segment_duration", "chunk_duration",    "frame_rate",
          "ladder", "audio", "window",           "preferred_pipeline"};
      if (!known.count(it.key())) {
        return InvalidArgument("unknown event config field '" + it.key() + "'");
      }
    }
    c.event = j.value("event", c.event);
    if (j.contains("ast")) {
      auto ast = ParseUtc(j["ast"].get<std::string>());
      if (!ast.ok()) return ast.status();
      c.ast = *ast;
    }
    if (j.contains("segment_duration")) {
      auto d = SecondsToMicros(j["segment_duration"], "segment_duration");
      if (!d.ok()) return d.status();
      c.segment_us = *d;
    }
    if (j.contains("chunk_duration")) {
      auto d = SecondsToMicros(j["chunk_duration"], "chunk_duration");
      if (!d.ok()) return d.status();
      c.chunk_us = *d;
    }
    if (j.contains("frame_rate")) {
      const json& fr = j["frame_rate"];
      auto r = ParseFrameRate(fr.is_string() ? fr.get<std::string>() : fr.dump());
      if (!r.ok()) return r.status();
      c.frame_rate = *r;
    }
    if (j.contains("window")) {
      const json& w = j["window"];
      if (!w.is_number() || w.get<double>() < 0.001 || w.get<double>() > 7 * 86400) {
        return InvalidArgument("window must be a number of seconds up to 7 days");
      }
      c.window_us = static_cast<int64_t>(w.get<double>() * 1e6 + 0.5);
    }
    c.preferred_pipeline = j.value("preferred_pipeline", c.preferred_pipeline);
    if (j.contains("audio")) {
      const json& a = j["audio"];
      if (!a.is_object()) return InvalidArgument("audio must be an object");
      c.audio.bitrate = a.value("bitrate", c.audio.bitrate);
    }
    if (!j.contains("ladder") || !j["ladder"].is_array()) {
      return InvalidArgument("event config needs a 'ladder' array");
    }
    for (const json& e : j["ladder"]) {
      RenditionConfig r;
      ONAIR_RETURN_IF_ERROR(ParseRendition(e, r));
      c.ladder.push_back(r);
    }
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("event config: ") + e.what());
  }
  ONAIR_RETURN_IF_ERROR(ValidateEventConfig(c));
  return c;
}

StatusOr<EventConfig> LoadEventConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read event config '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = ParseEventConfig(ss.str());
  if (!c.ok()) return Status(c.status().code(), path + ": " + c.status().message());
  return c;
}

std::string EventConfigToJson(const EventConfig& c) {
  json ladder = json::array();
  for (const RenditionConfig& r : c.ladder) {
    json e = {{"name", r.name},
              {"codec", VideoCodecName(r.codec)},
              {"width", r.width},
              {"height", r.height},
              {"bitrate", r.bitrate},
              {"rate_control", r.rate_control == RateControl::kCbr ? "cbr" : "capped_vbr"},
              {"crf", r.crf},
              {"preset", r.preset},
              {"scale_from", r.scale_from_above ? "above" : "source"}};
    if (!r.tune.empty()) e["tune"] = r.tune;
    ladder.push_back(e);
  }
  const json j = {
      {"event", c.event},
      {"ast", FormatUtc(c.ast, true)},
      {"segment_duration", static_cast<double>(c.segment_us) / 1e6},
      {"chunk_duration", static_cast<double>(c.chunk_us) / 1e6},
      {"frame_rate", std::to_string(c.frame_rate.num) + "/" + std::to_string(c.frame_rate.den)},
      {"window", static_cast<double>(c.window_us) / 1e6},
      {"preferred_pipeline", c.preferred_pipeline},
      {"audio", {{"bitrate", c.audio.bitrate}}},
      {"ladder", ladder}};
  return j.dump();
}

EventConfig DefaultEventConfig() {
  EventConfig c;
  RenditionConfig r;
  r.preset = "veryfast";
  r.name = "720p";
  r.width = 1280;
  r.height = 720;
  r.bitrate = 3000000;
  c.ladder.push_back(r);
  r.name = "540p";
  r.width = 960;
  r.height = 540;
  r.bitrate = 1800000;
  r.scale_from_above = true;
  c.ladder.push_back(r);
  r.name = "360p";
  r.width = 640;
  r.height = 360;
  r.bitrate = 800000;
  c.ladder.push_back(r);
  return c;
}

}  // namespace onair
