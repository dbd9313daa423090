#include "playback/answer.h"

#include "media/manifest.h"

namespace onair::playback {

std::string ManifestFor(const CatalogEvent& ev, const Device& device,
                        const std::vector<const RenditionConfig*>& rungs,
                        const std::vector<const EdgeEntry*>& ranked, const AnswerOptions& o,
                        UtcMicros now) {
  const EventConfig& c = ev.config;
  const bool hls = device.format == Format::kHls;
  media::ManifestState s = media::LiveState(c, now);
  s.minimum_update_period_us = 0;  // the template never changes: nothing to poll
  // HEVC first for devices that decode it: the better picture for the bits.
  for (const bool hevc : {true, false}) {
    for (const RenditionConfig* r : rungs) {
      if ((r->codec == VideoCodec::kH265) != hevc) continue;
      for (const media::TrackInfo& t : ev.tracks) {
        if (t.is_video && t.id == r->name) s.tracks.push_back(t);
      }
    }
  }
  for (const media::TrackInfo& t : ev.tracks) {
    if (!t.is_video) s.tracks.push_back(t);
  }
  for (const EdgeEntry* e : ranked) {
    s.base_urls.push_back({e->base_url + "/live/" + c.event + "/", e->name});
  }
  s.utc_timing_url = o.public_url + "/v1/time";
  s.target_latency_us = o.target_latency_us > 0 ? o.target_latency_us : 3 * c.segment_us / 2;
  s.steering_url =
      o.public_url + "/v1/steering/" + c.event + (hls ? "?format=hls" : "?format=dash");
  if (!device.region.empty()) s.steering_url += "&region=" + device.region;
  // The steering answer carries the operator's quality cap for the device's type.
  if (!device.type.empty()) s.steering_url += "&type=" + device.type;
  if (!ranked.empty()) s.steering_default = ranked.front()->name;
  return hls ? media::WriteHlsMultivariant(s) : media::WriteDashMpd(s);
}

}  // namespace onair::playback
