// The content-steering answer (GET /v1/steering/{event}): DASH-IF Content Steering and HLS
// Content Steering share it: VERSION, TTL (s), RELOAD-URI and the priority list, keyed
// SERVICE-LOCATION-PRIORITY for DASH or PATHWAY-PRIORITY for HLS; with a quality cap in force
// for the device's type, onair's own ONAIR-QUALITY-CAP ({"max_bitrate", "max_height"}, 0 =
// none), which other players ignore. Written by the playback service, read by players.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace onair::contract {

struct Steering {
  int version = 1;
  int64_t ttl_s = 300;
  std::string reload_uri;             // "": none
  bool hls = false;                   // PATHWAY-PRIORITY rather than SERVICE-LOCATION-PRIORITY
  std::vector<std::string> priority;  // service locations / pathway ids, best first
  int64_t cap_max_bitrate = 0, cap_max_height = 0;  // 0: no cap
};

std::string WriteSteering(const Steering& s);
// What a player takes from an answer: a TTL clamped to 1..3600 s, the reload URI, the
// priority (whichever key is there; names that are not strings skipped), the cap.
// InvalidArgument when it is not a JSON object.
StatusOr<Steering> ParseSteering(const std::string& json_text);

}  // namespace onair::contract
