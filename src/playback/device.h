// Which renditions of an event a device gets (docs/playback.md): its own description
// (contract/device.h) under the operator's quality levers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "contract/device.h"
#include "core/event_config.h"
#include "core/status.h"

namespace onair::playback {

using contract::Device;
using contract::Format;
using contract::kMaxDeviceBody;
using contract::ParseDevice;

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
