// What a device says of itself at play start (the body of POST /v1/playback/{event}), read
// and checked once; and which renditions of an event it gets (docs/playback.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/event_config.h"
#include "core/status.h"

namespace onair::playback {

enum class Format { kDash, kHls };

struct Device {
  std::string id;    // the device's own id (for logs and metrics sampling), 1-128 printable
  std::string type;  // tv, phone, tablet, desktop, browser, stb, console, other
  bool avc = false, hevc = false;  // the video codecs it decodes
  int max_width = 0, max_height = 0;
  int64_t max_bitrate = 0;  // bits/s the device wants at most
  bool hdr = false;
  std::vector<std::string> drm;  // widevine, playready, fairplay, clearkey
  std::string region;            // where it plays from: steers to nearby edges ("": any)
  Format format = Format::kDash;
};

// The largest body a play-start request may have.
constexpr size_t kMaxDeviceBody = 16 * 1024;

// Reads a device description (JSON; format in docs/playback.md). Anything missing, of the
// wrong type, unknown or absurd (a 100 000-pixel screen, a bitrate of a terabit) is an
// InvalidArgument that names the field.
StatusOr<Device> ParseDevice(const std::string& json_text);

// The operator's quality levers (docs/playback.md): a cap for every device, and caps per
// device type; 0 means no cap.
struct QualityCap {
  int max_height = 0;
  int64_t max_bitrate = 0;
};
struct QualityLevers {
  QualityCap all;
  std::vector<std::pair<std::string, QualityCap>> by_type;  // device type -> cap
};

// The cap on a device of `device_type`: the tighter of the cap for all and its type's.
QualityCap CapFor(const QualityLevers& levers, const std::string& device_type);

// The renditions of `event` a device gets, top first: those of a codec it decodes, inside its
// screen, its bitrate and the operator's caps. If the caps leave none of its codecs, the
// lowest rung of a codec it decodes (a picture, however small, beats an error). Empty only if
// it decodes none of the ladder's codecs.
std::vector<const RenditionConfig*> SelectRenditions(const EventConfig& event, const Device& device,
                                                     const QualityLevers& levers);

}  // namespace onair::playback
