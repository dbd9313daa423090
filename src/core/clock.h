// Time as an injected dependency: services read UTC and monotonic time through a Clock so
// that the epoch arithmetic, deadlines, lifetimes and pacing are testable without sleeping.
// (Envoy's TimeSource: systemTime() and monotonicTime(), a simulated time system in tests.)
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace onair {

// Microseconds since the Unix epoch, UTC.
using UtcMicros = int64_t;
// A reading of a clock that never jumps (durations, deadlines, lifetimes); only differences
// between two readings mean anything.
using MonoTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time: what segment numbers, AST and capture times are counted in.
  virtual UtcMicros Now() const = 0;
  // Monotonic time: what timeouts, cache lifetimes and rates are measured with.
  virtual MonoTime Monotonic() const = 0;
  // Blocks until Now() >= t (returns at once if it already is).
  virtual void SleepUntil(UtcMicros t) = 0;
};

// The machine's clocks.
class SystemClock final : public Clock {
 public:
  UtcMicros Now() const override;
  MonoTime Monotonic() const override { return std::chrono::steady_clock::now(); }
  void SleepUntil(UtcMicros t) override;
  static SystemClock& Instance();
};

// A clock that moves only when told to: both readings advance together. SleepUntil jumps
// forward instead of waiting.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(UtcMicros start) : start_(start), now_(start) {}
  UtcMicros Now() const override { return now_.load(); }
  // Starts at the same instant as the wall clock's start, an hour past the steady epoch (so
  // that a time point a little before it is still a valid reading).
  MonoTime Monotonic() const override {
    return MonoTime{} + std::chrono::hours(1) + std::chrono::microseconds(now_.load() - start_);
  }
  void SleepUntil(UtcMicros t) override;
  void Advance(int64_t micros) { now_ += micros; }
  void Advance(std::chrono::microseconds d) { now_ += d.count(); }

 private:
  const UtcMicros start_;
  std::atomic<int64_t> now_;
};

// The Unix second t falls in (rounded down, also before 1970).
constexpr int64_t SecondOf(UtcMicros t) {
  return t >= 0 ? t / 1'000'000 : (t - 999'999) / 1'000'000;
}

// ISO 8601 UTC ("2026-11-23T10:00:00Z", fractional seconds allowed) <-> UtcMicros.
StatusOr<UtcMicros> ParseUtc(std::string_view text);
std::string FormatUtc(UtcMicros t, bool with_millis = false);

}  // namespace onair
