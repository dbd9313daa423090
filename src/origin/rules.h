// The origin's decisions as pure functions of time and state (DESIGN.md "Origin answers"),
// so that every rule is unit-tested without a server.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/epoch.h"

namespace onair::origin {

// What one pipeline offers for one object.
struct Offer {
  bool present = false;
  bool complete = false;  // false: being written (defects unknown yet)
  std::vector<std::string> defects;
};

// How bad a defect list is: structural damage outweighs content findings.
int DefectScore(const std::vector<std::string>& defects);

enum class Choice { kNone, kA, kB };
struct Selection {
  int pipeline = -1;       // 0 (A), 1 (B) or -1 (nothing servable)
  std::string reason;      // preferred | fallback | streaming | better-defective
  bool defective = false;  // serve with the defects header
};

// The preferred pipeline's complete, clean candidate; else the other's; else one being
// written (streamed as it arrives; preferred first); else the less damaged of two defective
// ones (preferred on a tie). Masked pipelines are never served.
Selection Select(const Offer offers[2], int preferred, const bool masked[2]);

enum class Answer {
  kHold,    // the next segment: wait for it (up to `until`)
  kNotYet,  // later: 404 cacheable until `until`
  kGone,    // never produced, or past its deadline: 410
};
struct Decision {
  Answer answer;
  UtcMicros until = 0;
};

// For a segment no pipeline has offered yet.
//  - past its deadline (AST + (n+2)·D + D/4: the publisher's whole-segment budget and a margin)
//    or before the event's first segment: gone;
//  - starting within one D (the segment being captured now or the next): hold until it
//    appears, at most D + D/4 past the later of now and its start, never past its deadline;
//  - later: not yet, cacheable until it becomes the next segment (AST + (n-1)·D), so that a
//    cache asks again exactly when the origin would hold the request.
Decision Decide(const EpochTimeline& timeline, int64_t n, UtcMicros now);

// Live-edge reads (the last few segments, the next ones, init, manifests) are served before
// DVR/catch-up reads when the origin is overloaded.
bool IsLiveEdge(const EpochTimeline& timeline, int64_t n, UtcMicros now);

}  // namespace onair::origin
