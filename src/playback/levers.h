// The operator's levers on the playback service (docs/playback.md, "Levers"): quality caps
// for every device and by device type, personalisation on or off, edges drained from
// steering. Set through the admin API as JSON; each change is one whole new value.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "playback/device.h"

namespace onair::playback {

struct Levers {
  QualityLevers quality;
  bool personalise = true;           // off: every device gets the precomputed generic answer
  std::vector<std::string> drained;  // edge names no new viewer is sent to
};

// The levers after a PATCH body (JSON object): the fields it gives replace theirs, the others
// stay. Fields: "quality" ({"max_height", "max_bitrate"} or null for no cap),
// "quality_by_type" ({"phone": {...}, ...}, replacing every type's cap), "personalisation"
// (boolean), "drained_edges" (names). InvalidArgument naming the field otherwise; at most 64 KiB.
StatusOr<Levers> ApplyLevers(const Levers& current, const std::string& json_text);

std::string LeversToJson(const Levers& levers);

}  // namespace onair::playback
