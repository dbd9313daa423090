#include "playback/device.h"

#include <algorithm>

namespace onair::playback {

QualityCap CapFor(const QualityLevers& levers, const std::string& device_type) {
  QualityCap cap = levers.all;
  for (const auto& [type, c] : levers.by_type) {
    if (type != device_type) continue;
    auto tighter = [](auto a, auto b) { return a == 0 ? b : b == 0 ? a : std::min(a, b); };
    cap.max_height = tighter(cap.max_height, c.max_height);
    cap.max_bitrate = tighter(cap.max_bitrate, c.max_bitrate);
  }
  return cap;
}

std::vector<const RenditionConfig*> SelectRenditions(const EventConfig& event, const Device& device,
                                                     const QualityLevers& levers) {
  auto decodes = [&](const RenditionConfig& r) {
    return r.codec == VideoCodec::kH264 ? device.avc : device.hevc;
  };
  const QualityCap cap = CapFor(levers, device.type);
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
