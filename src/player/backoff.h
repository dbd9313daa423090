// How the player waits before trying again: as the server says (Retry-After, or the
// `retry_after_ms` of an onair answer) when it says, otherwise exponential backoff with full
// jitter, capped (a crowd that failed together does not come back together).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "core/clock.h"
#include "net/http_client.h"

namespace onair::player {

class Backoff {
 public:
  // Waits are drawn from [0, min(cap, base * 2^attempt)].
  Backoff(int64_t base_ms, int64_t cap_ms, uint64_t seed)
      : base_ms_(base_ms), cap_ms_(cap_ms), random_(seed) {}

  // The next wait, and one more attempt counted.
  int64_t NextMs();
  // After a success: the next failure starts from the base again.
  void Reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  int64_t base_ms_;
  int64_t cap_ms_;
  int attempt_ = 0;
  std::mt19937_64 random_;
};

// The wait a server asked for: `retry_after_ms` in a JSON body (onair's millisecond
// precision) first, then Retry-After in seconds or as an HTTP date. nullopt if it said none;
// at most an hour.
std::optional<int64_t> ServerRetryMs(const net::Response& response, UtcMicros now);

}  // namespace onair::player
