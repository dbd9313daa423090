// Time as an injected dependency: services read UTC through a Clock so that the epoch
// arithmetic, deadlines and pacing are testable without sleeping.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace onair {

// Microseconds since the Unix epoch, UTC.
using UtcMicros = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UtcMicros Now() const = 0;
  // Blocks until Now() >= t (returns at once if it already is).
  virtual void SleepUntil(UtcMicros t) = 0;
};

// The machine's real-time clock.
class SystemClock final : public Clock {
 public:
  UtcMicros Now() const override;
  void SleepUntil(UtcMicros t) override;
  static SystemClock& Instance();
};

// A clock that moves only when told to; SleepUntil jumps forward instead of waiting.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(UtcMicros start) : now_(start) {}
  UtcMicros Now() const override { return now_.load(); }
  void SleepUntil(UtcMicros t) override;
  void Advance(int64_t micros) { now_ += micros; }

 private:
  std::atomic<int64_t> now_;
};

// ISO 8601 UTC ("2026-11-23T10:00:00Z", fractional seconds allowed) <-> UtcMicros.
StatusOr<UtcMicros> ParseUtc(const std::string& text);
std::string FormatUtc(UtcMicros t, bool with_millis = false);

}  // namespace onair
