// The manifest a device gets (docs/playback.md, "The answer"): a pure function of the event,
// the device, the renditions and edges chosen for it, and the time; golden-file tested.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event_config.h"
#include "playback/catalog.h"
#include "playback/device.h"
#include "playback/fleet.h"

namespace onair::playback {

struct AnswerOptions {
  std::string public_url;         // this service as devices reach it, no trailing '/'
  int64_t target_latency_us = 0;  // 0: 1.5 segments
};

// A dynamic MPD (DASH) or a multivariant playlist (HLS, by device.format) listing `rungs`
// (top first) and the audio, with `ranked` (non-empty) as base URLs / pathways, content
// steering at {public_url}/v1/steering/{event}, the clock at {public_url}/v1/time, and no
// minimumUpdatePeriod (the template never changes).
std::string ManifestFor(const CatalogEvent& event, const Device& device,
                        const std::vector<const RenditionConfig*>& rungs,
                        const std::vector<const EdgeEntry*>& ranked, const AnswerOptions& options,
                        UtcMicros now);

}  // namespace onair::playback
