#include "origin/rules.h"

#include <algorithm>
#include <map>

namespace onair::origin {

int DefectScore(const std::vector<std::string>& defects) {
  static const std::map<std::string, int> weights = {
      {"corrupt", 1000}, {"no-idr", 200},    {"tfdt-jump", 100}, {"missing-frames", 50},
      {"short", 50},     {"late-start", 50}, {"no-input", 20},   {"black", 2},
      {"frozen", 2},     {"silent", 1}};
  int score = 0;
  for (const std::string& d : defects) {
    auto it = weights.find(d);
    score += it == weights.end() ? 10 : it->second;
  }
  return score;
}

Selection Select(const Offer offers[2], int preferred, const bool masked[2]) {
  const int order[2] = {preferred, 1 - preferred};
  auto usable = [&](int p) { return offers[p].present && !masked[p]; };
  for (int k = 0; k < 2; ++k) {
    const int p = order[k];
    if (usable(p) && offers[p].complete && offers[p].defects.empty()) {
      return {p, k == 0 ? "preferred" : "fallback", false};
    }
  }
  for (int k = 0; k < 2; ++k) {
    const int p = order[k];
    if (usable(p) && !offers[p].complete) return {p, "streaming", false};
  }
  int best = -1;
  for (int k = 0; k < 2; ++k) {
    const int p = order[k];
    if (!usable(p)) continue;
    if (best < 0 || DefectScore(offers[p].defects) < DefectScore(offers[best].defects)) best = p;
  }
  if (best < 0) return {};
  return {best, best == preferred ? "preferred" : "better-defective", true};
}

Decision Decide(const EpochTimeline& timeline, int64_t n, UtcMicros now) {
  const int64_t d = timeline.segment_us();
  const UtcMicros start = timeline.SegmentStartUtc(n);
  const UtcMicros deadline = timeline.SegmentStartUtc(n + 2) + d / 4;
  if (n < 0 || now >= deadline) return {Answer::kGone, 0};
  // Held until D + D/4 past the later of now and its start: the next segment's first chunk is
  // due a chunk after its start, so the margin is the same however early the read came.
  if (start <= now + d)
    return {Answer::kHold, std::min(deadline, std::max(now, start) + d + d / 4)};
  return {Answer::kNotYet, start - d};
}

bool IsLiveEdge(const EpochTimeline& timeline, int64_t n, UtcMicros now) {
  return n >= timeline.SegmentNumberAt(now) - 3;
}

}  // namespace onair::origin
