// Event configs arrive over the admin API: any bytes either parse into a config that
// passes validation and whose timeline arithmetic is safe, or give an error.
#include <cstdint>
#include <string>

#include "core/event_config.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = onair::ParseEventConfig(text);
  if (!config.ok()) {
    FUZZ_CHECK(!config.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(onair::ValidateEventConfig(*config).ok());
  FUZZ_CHECK(!config->ladder.empty());
  // What the origin persists reads back the same.
  const std::string json = onair::EventConfigToJson(*config);
  auto again = onair::ParseEventConfig(json);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(onair::EventConfigToJson(*again) == json);
  const onair::EpochTimeline timeline = config->timeline();
  const int64_t n = timeline.SegmentNumberAt(config->ast + 3600LL * 1000000);
  FUZZ_CHECK(timeline.SegmentStartUtc(n) <= config->ast + 3600LL * 1000000);
  FUZZ_CHECK(timeline.SegmentAvailableAt(n) > config->ast + 3600LL * 1000000);
  return 0;
}
