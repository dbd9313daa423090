// JSON the playback service reads from the network. Levers and edge registrations (admin
// API): a value inside the documented ranges or an error. Device descriptions (every play-start
// request): any bytes either give a device whose fields are inside their documented ranges,
// or a clear error; a device always gets renditions of a codec it decodes, or none only when
// it decodes none of the ladder's. Edge statuses: a status with counts, or an error. QoE
// event batches from players are the contract's (contract_fuzz.cc).
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "playback/device.h"
#include "playback/fleet.h"
#include "playback/levers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto status = onair::playback::ParseEdgeStatus(text, {});
  FUZZ_CHECK(!status.ok() || (status->connections >= 0 && status->egress_bps >= 0));
  auto levers = onair::playback::ApplyLevers({}, text);
  FUZZ_CHECK(!levers.ok() ||
             (levers->quality.all.max_bitrate >= 0 && levers->quality.all.max_height >= 0 &&
              levers->quality.by_type.size() <= 16));
  for (auto edge :
       {onair::playback::ParseEdgeEntry("e1", text), onair::playback::ParseEdgeFlag(text)}) {
    FUZZ_CHECK(!edge.ok() || (onair::IsSafeName(edge->name) && !edge->base_url.empty() &&
                              edge->base_url.back() != '/' && edge->max_connections >= 0));
  }
  auto device = onair::playback::ParseDevice(text);
  if (!device.ok()) {
    FUZZ_CHECK(device.status().code() == onair::StatusCode::kInvalidArgument);
    FUZZ_CHECK(!device.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(!device->id.empty() && device->id.size() <= 128);
  FUZZ_CHECK(device->max_width == 0 || (device->max_width >= 16 && device->max_width <= 16384));
  FUZZ_CHECK(device->max_height == 0 || (device->max_height >= 16 && device->max_height <= 16384));
  FUZZ_CHECK(device->max_bitrate >= 0);
  const onair::EventConfig event = onair::DefaultEventConfig();  // H.264 only
  const auto chosen = onair::playback::SelectRenditions(event, *device, {});
  FUZZ_CHECK(chosen.empty() == !device->avc);
  for (const auto* r : chosen) FUZZ_CHECK(r->codec == onair::VideoCodec::kH264);
  return 0;
}
