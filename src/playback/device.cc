#include "playback/device.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "playback/json_fields.h"

namespace onair::playback {

namespace {

using json = nlohmann::json;

const char* kWhat = "device description";

Status Bad(const std::string& field, const std::string& why) { return BadField(kWhat, field, why); }

bool OneOf(const std::string& v, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return v == n; });
}

}  // namespace

bool Printable(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

Status ReadInt(const json& j, const std::string& what, const char* field, int64_t lo, int64_t hi,
               int64_t* out) {
  auto it = j.find(field);
  if (it == j.end()) return Status::Ok();
  const Status range =
      BadField(what, field,
               "must be a whole number within " + std::to_string(lo) + ".." + std::to_string(hi));
  if (!it->is_number_integer()) return range;
  if (it->is_number_unsigned()) {
    const uint64_t v = it->get<uint64_t>();
    if (v < static_cast<uint64_t>(lo) || v > static_cast<uint64_t>(hi)) return range;
    *out = static_cast<int64_t>(v);
  } else {
    const int64_t v = it->get<int64_t>();
    if (v < lo || v > hi) return range;
    *out = v;
  }
  return Status::Ok();
}

Status ReadNames(const json& j, const std::string& what, const char* field, size_t most,
                 std::vector<std::string>* out, bool keep_case) {
  auto it = j.find(field);
  if (it == j.end()) return Status::Ok();
  if (!it->is_array() || it->size() > most) {
    return BadField(what, field,
                    "must be an array of at most " + std::to_string(most) + " strings");
  }
  out->clear();
  for (const json& v : *it) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty() ||
        v.get_ref<const std::string&>().size() > 32 || !Printable(v.get<std::string>())) {
      return BadField(what, field, "must hold names of 1-32 printable characters");
    }
    std::string s = v.get<std::string>();
    if (!keep_case) {
      std::transform(s.begin(), s.end(), s.begin(),
                     [](unsigned char c) { return std::tolower(c); });
    }
    out->push_back(std::move(s));
  }
  return Status::Ok();
}

StatusOr<Device> ParseDevice(const std::string& json_text) {
  if (json_text.size() > kMaxDeviceBody) {
    return InvalidArgument("device description larger than " + std::to_string(kMaxDeviceBody) +
                           " bytes");
  }
  const json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return InvalidArgument("device description: not JSON");
  if (!j.is_object()) return InvalidArgument("device description: not a JSON object");
  Device d;

  auto id = j.find("device_id");
  if (id == j.end() || !id->is_string()) return Bad("device_id", "is required (a string)");
  d.id = id->get<std::string>();
  if (d.id.empty() || d.id.size() > 128 || !Printable(d.id)) {
    return Bad("device_id", "must be 1-128 printable characters");
  }

  d.type = "other";
  if (auto t = j.find("device_type"); t != j.end()) {
    if (!t->is_string()) return Bad("device_type", "must be a string");
    d.type = t->get<std::string>();
    if (!OneOf(d.type,
               {"tv", "phone", "tablet", "desktop", "browser", "stb", "console", "other"})) {
      return Bad("device_type",
                 "must be one of tv, phone, tablet, desktop, browser, stb, console, other");
    }
  }

  std::vector<std::string> codecs;
  if (j.find("codecs") == j.end()) return Bad("codecs", "is required (e.g. [\"avc\", \"hevc\"])");
  if (Status s = ReadNames(j, kWhat, "codecs", 16, &codecs); !s.ok()) return s;
  for (const std::string& c : codecs) {  // others (av1, vp9, ...) are not in any ladder yet
    d.avc = d.avc || OneOf(c, {"avc", "h264", "avc1", "avc3"});
    d.hevc = d.hevc || OneOf(c, {"hevc", "h265", "hvc1", "hev1"});
  }

  int64_t width = 0, height = 0, bitrate = 0;
  if (Status s = ReadInt(j, kWhat, "max_width", 16, 16384, &width); !s.ok()) return s;
  if (Status s = ReadInt(j, kWhat, "max_height", 16, 16384, &height); !s.ok()) return s;
  if (Status s = ReadInt(j, kWhat, "max_bitrate", 10'000, 10'000'000'000, &bitrate); !s.ok())
    return s;
  d.max_width = static_cast<int>(width);
  d.max_height = static_cast<int>(height);
  d.max_bitrate = bitrate;

  if (auto h = j.find("hdr"); h != j.end()) {
    if (!h->is_boolean()) return Bad("hdr", "must be true or false");
    d.hdr = h->get<bool>();
  }
  if (Status s = ReadNames(j, kWhat, "drm", 8, &d.drm); !s.ok()) return s;
  for (const std::string& k : d.drm) {
    if (!OneOf(k, {"widevine", "playready", "fairplay", "clearkey"})) {
      return Bad("drm", "must name widevine, playready, fairplay or clearkey");
    }
  }
  if (auto r = j.find("region"); r != j.end()) {
    if (!r->is_string() || !IsSafeName(r->get<std::string>())) {
      return Bad("region", "must be a name of 1-64 of [a-zA-Z0-9_-]");
    }
    d.region = r->get<std::string>();
  }
  if (auto f = j.find("format"); f != j.end()) {
    if (!f->is_string() || !OneOf(f->get<std::string>(), {"dash", "hls"})) {
      return Bad("format", "must be \"dash\" or \"hls\"");
    }
    d.format = f->get<std::string>() == "hls" ? Format::kHls : Format::kDash;
  }
  return d;
}

std::vector<const RenditionConfig*> SelectRenditions(const EventConfig& event, const Device& device,
                                                     const QualityLevers& levers) {
  auto decodes = [&](const RenditionConfig& r) {
    return r.codec == VideoCodec::kH264 ? device.avc : device.hevc;
  };
  QualityCap cap = levers.all;
  for (const auto& [type, c] : levers.by_type) {
    if (type != device.type) continue;
    auto tighter = [](auto a, auto b) { return a == 0 ? b : b == 0 ? a : std::min(a, b); };
    cap.max_height = tighter(cap.max_height, c.max_height);
    cap.max_bitrate = tighter(cap.max_bitrate, c.max_bitrate);
  }
  std::vector<const RenditionConfig*> out;
  const RenditionConfig* lowest = nullptr;
  for (const RenditionConfig& r : event.ladder) {
    if (!decodes(r)) continue;
    if (!lowest || r.bitrate < lowest->bitrate) lowest = &r;
    if (device.max_width > 0 && r.width > device.max_width) continue;
    if (device.max_height > 0 && r.height > device.max_height) continue;
    if (device.max_bitrate > 0 && r.bitrate > device.max_bitrate) continue;
    if (cap.max_height > 0 && r.height > cap.max_height) continue;
    if (cap.max_bitrate > 0 && r.bitrate > cap.max_bitrate) continue;
    out.push_back(&r);
  }
  if (out.empty() && lowest) out.push_back(lowest);
  std::stable_sort(out.begin(), out.end(), [](const RenditionConfig* a, const RenditionConfig* b) {
    return a->bitrate > b->bitrate;
  });
  return out;
}

}  // namespace onair::playback
