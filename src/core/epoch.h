// The epoch-locking rule of DESIGN.md ("Timing: epoch locking"): a segment's number is a
// pure function of wall-clock media time, so independent pipelines cut at the same instants.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/status.h"

namespace onair {

struct Rational {
  int64_t num = 0;
  int64_t den = 1;
  double ToDouble() const { return static_cast<double>(num) / static_cast<double>(den); }
  bool operator==(const Rational&) const = default;
};

// "25", "29.97", "30000/1001", "59.94" -> an exact rational frame rate.
StatusOr<Rational> ParseFrameRate(const std::string& text);
std::string FormatFrameRate(Rational fps);

// Event time: availability start time (AST) and segment duration D.
class EpochTimeline {
 public:
  EpochTimeline(UtcMicros ast, int64_t segment_us) : ast_(ast), segment_us_(segment_us) {}

  UtcMicros ast() const { return ast_; }
  int64_t segment_us() const { return segment_us_; }

  int64_t MediaTimeAt(UtcMicros utc) const { return utc - ast_; }
  // Segment n holds media time [n*D, (n+1)*D).
  int64_t SegmentNumberAt(UtcMicros utc) const { return SegmentOfMediaTime(utc - ast_); }
  int64_t SegmentOfMediaTime(int64_t media_us) const;
  UtcMicros SegmentStartUtc(int64_t n) const { return ast_ + n * segment_us_; }
  // A whole segment is available once its last frame has been captured.
  UtcMicros SegmentAvailableAt(int64_t n) const { return ast_ + (n + 1) * segment_us_; }
  // The first chunk of size chunk_us of segment n is available at about this time.
  UtcMicros FirstChunkAvailableAt(int64_t n, int64_t chunk_us) const {
    return SegmentStartUtc(n) + chunk_us;
  }
  // The segment boundary n*D expressed in ticks of `timescale` (tfdt of an exact cut).
  int64_t BoundaryTicks(int64_t n, int64_t timescale) const;

 private:
  UtcMicros ast_;
  int64_t segment_us_;
};

// Equally spaced instants anchored at media time 0: video frames at a frame rate, audio
// frames of a fixed number of samples. Index i sits at media time i * interval.
class FrameGrid {
 public:
  // interval in seconds, e.g. {1001, 30000} for 29.97 fps or {1024, 48000} for AAC.
  explicit FrameGrid(Rational interval) : interval_(interval) {}
  static FrameGrid ForFrameRate(Rational fps) { return FrameGrid({fps.den, fps.num}); }

  Rational interval() const { return interval_; }
  // First index at or after media time t.
  int64_t IndexAtOrAfter(int64_t media_us) const;
  // Index whose instant is nearest to t.
  int64_t NearestIndex(int64_t media_us) const;
  // Media time of index i, rounded down to the microsecond.
  int64_t MediaMicros(int64_t index) const;
  // Index i in ticks of `timescale`; exact when the timescale divides the grid.
  int64_t Ticks(int64_t index, int64_t timescale) const;
  bool TicksExact(int64_t timescale) const;
  // Segments cut at the first grid instant at or after each boundary n*D.
  int64_t FirstIndexOfSegment(int64_t n, int64_t segment_us) const {
    return IndexAtOrAfter(n * segment_us);
  }
  int64_t SegmentOf(int64_t index, int64_t segment_us) const;
  // The chunk (of chunk_us) of segment n that index falls in, cutting chunks like segments.
  int64_t ChunkOf(int64_t index, int64_t n, int64_t segment_us, int64_t chunk_us) const;
  // The index whose instant is nearest to `ticks` of `timescale`.
  int64_t IndexOfTicks(int64_t ticks, int64_t timescale) const;

 private:
  Rational interval_;
};

// The track timescale for video at `fps`: 90 kHz when every frame and segment boundary is
// a whole number of ticks there, otherwise a multiple of the frame rate's numerator.
int64_t ChooseVideoTimescale(Rational fps, int64_t segment_us);

// value * num / den rounded to the nearest (halves up), exact in 128 bits: media times
// counted from an AST at the Unix epoch overflow 64 bits once multiplied by a sample rate.
int64_t RescaleRounded(int64_t value, int64_t num, int64_t den);

}  // namespace onair
