#include "loadgen/mix.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace onair::loadgen {
namespace {

struct Screen {
  int width, height;
};

bool KnownKind(const std::string& k) {
  for (const char* known : {"tv", "phone", "tablet", "browser", "desktop", "stb", "console"}) {
    if (k == known) return true;
  }
  return false;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t from = 0;
  while (from <= s.size()) {
    const size_t comma = s.find(',', from);
    const std::string part =
        s.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return out;
}

}  // namespace

StatusOr<DeviceMix> ParseMix(const std::string& kinds, const std::string& regions) {
  DeviceMix mix;
  if (!kinds.empty()) {
    mix.kinds.clear();
    for (const std::string& part : Split(kinds)) {
      const size_t eq = part.find('=');
      const std::string kind = part.substr(0, eq);
      if (!KnownKind(kind)) return InvalidArgument("mix: no device kind '" + kind + "'");
      double weight = 1;
      if (eq != std::string::npos) {
        char* end = nullptr;
        weight = std::strtod(part.c_str() + eq + 1, &end);
        if (end == part.c_str() + eq + 1 || *end != '\0' || !(weight >= 0) || weight > 1e6) {
          return InvalidArgument("mix: '" + part + "' is not kind=weight");
        }
      }
      mix.kinds.emplace_back(kind, weight);
    }
    double total = 0;
    for (const auto& [k, w] : mix.kinds) total += w;
    if (total <= 0) return InvalidArgument("mix: the weights add up to 0");
  }
  for (const std::string& r : Split(regions)) {
    for (char c : r) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
        return InvalidArgument("regions: '" + r + "' is not a region name");
      }
    }
    mix.regions.push_back(r);
  }
  return mix;
}

player::DeviceProfile DrawDevice(const DeviceMix& mix, uint64_t seed, uint64_t n) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + n);
  std::uniform_real_distribution<double> u(0, 1);
  double total = 0;
  for (const auto& [k, w] : mix.kinds) total += w;
  double pick = u(rng) * total;
  std::string kind = mix.kinds.back().first;
  for (const auto& [k, w] : mix.kinds) {
    if (pick < w) {
      kind = k;
      break;
    }
    pick -= w;
  }
  player::DeviceProfile d;
  d.type = kind;
  char id[40];
  std::snprintf(id, sizeof(id), "lg-%016llx-%llu", static_cast<unsigned long long>(seed),
                static_cast<unsigned long long>(n));
  d.id = id;
  const bool hevc = u(rng) < (kind == "tv" || kind == "stb" || kind == "console" ? 0.7
                              : kind == "browser"                                ? 0.1
                                                                                 : 0.5);
  d.codecs = hevc ? std::vector<std::string>{"avc", "hevc"} : std::vector<std::string>{"avc"};
  static const Screen kTv[] = {{3840, 2160}, {1920, 1080}, {1280, 720}};
  static const Screen kPhone[] = {{2340, 1080}, {1920, 1080}, {1280, 720}, {960, 540}};
  static const Screen kDesk[] = {{2560, 1440}, {1920, 1080}, {1280, 720}};
  Screen s{};
  if (kind == "tv" || kind == "stb" || kind == "console") {
    s = kTv[rng() % 3];
  } else if (kind == "phone" || kind == "tablet") {
    s = kPhone[rng() % 4];
    d.max_bitrate = u(rng) < 0.3 ? 1'500'000 : 0;  // a metered connection's setting
  } else {
    s = kDesk[rng() % 3];
  }
  d.max_width = s.width;
  d.max_height = s.height;
  if (!mix.regions.empty()) d.region = mix.regions[rng() % mix.regions.size()];
  return d;
}

}  // namespace onair::loadgen
