// What a device says of itself at play start (the body of POST /v1/playback/{event},
// docs/playback.md, "The device"): written by the player, read by the playback service, once
// per play start (so read in one pass, without a document).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace onair::contract {

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

std::string WriteDevice(const Device& d);
// Reads a device description (JSON). Anything missing, of the wrong type, unknown or absurd
// (a 100 000-pixel screen, a bitrate of a terabit) is an InvalidArgument that names the
// field.
StatusOr<Device> ParseDevice(const std::string& json_text);

}  // namespace onair::contract
