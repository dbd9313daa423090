// The devices a crowd is made of: a mix of kinds (TV, phone, browser, ...) by weight, each
// drawing what devices of its kind differ in (codecs, screen, bitrate ceiling), and the
// regions viewers play from. Seeded: the same run draws the same devices.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/status.h"
#include "player/player.h"

namespace onair::loadgen {

struct DeviceMix {
  std::vector<std::pair<std::string, double>> kinds = {{"tv", 30}, {"phone", 45}, {"browser", 25}};
  std::vector<std::string> regions;  // none: no region given
};

// "tv=30,phone=50,browser=20" (kinds: tv, phone, tablet, browser, desktop, stb, console).
StatusOr<DeviceMix> ParseMix(const std::string& kinds, const std::string& regions);

// Device number `n` of the run (its id and its draws follow from `seed` and `n`).
player::DeviceProfile DrawDevice(const DeviceMix& mix, uint64_t seed, uint64_t n);

}  // namespace onair::loadgen
