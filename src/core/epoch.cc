#include "core/epoch.h"

#include <cmath>
#include <cstdio>
#include <numeric>

namespace onair {

namespace {

__extension__ typedef __int128 i128;

int64_t FloorDiv(i128 a, i128 b) {
  i128 q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return static_cast<int64_t>(q);
}

int64_t CeilDiv(i128 a, i128 b) { return -FloorDiv(-a, b); }

constexpr int64_t kMicros = 1000000;

}  // namespace

StatusOr<Rational> ParseFrameRate(const std::string& text) {
  Rational r;
  if (text == "29.97") {
    r = {30000, 1001};
  } else if (text == "59.94") {
    r = {60000, 1001};
  } else if (text == "23.976" || text == "23.98") {
    r = {24000, 1001};
  } else if (text.find('/') != std::string::npos) {
    long long n = 0, d = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%lld/%lld%c", &n, &d, &tail) != 2) {
      return InvalidArgument("bad frame rate '" + text + "'");
    }
    r = {n, d};
  } else {
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0')
      return InvalidArgument("bad frame rate '" + text + "'");
    if (v != std::floor(v)) {
      return InvalidArgument("frame rate '" + text +
                             "' must be an integer, 29.97, 59.94, 23.976 or a fraction like "
                             "30000/1001");
    }
    r = {static_cast<int64_t>(v), 1};
  }
  if (r.num <= 0 || r.den <= 0 || r.ToDouble() > 240.0 || r.ToDouble() < 1.0) {
    return InvalidArgument("frame rate '" + text + "' out of range (1..240)");
  }
  int64_t g = std::gcd(r.num, r.den);
  return Rational{r.num / g, r.den / g};
}

std::string FormatFrameRate(Rational fps) {
  if (fps.den == 1) return std::to_string(fps.num);
  return std::to_string(fps.num) + "/" + std::to_string(fps.den);
}

int64_t EpochTimeline::SegmentOfMediaTime(int64_t media_us) const {
  return FloorDiv(media_us, segment_us_);
}

int64_t EpochTimeline::BoundaryTicks(int64_t n, int64_t timescale) const {
  return FloorDiv(static_cast<i128>(n) * segment_us_ * timescale, kMicros);
}

int64_t FrameGrid::IndexAtOrAfter(int64_t media_us) const {
  // smallest i with i * num / den >= media_us / 1e6
  return CeilDiv(static_cast<i128>(media_us) * interval_.den,
                 static_cast<i128>(interval_.num) * kMicros);
}

int64_t FrameGrid::NearestIndex(int64_t media_us) const {
  // floor(t / interval + 1/2)
  const i128 den = static_cast<i128>(interval_.num) * kMicros;
  return FloorDiv(static_cast<i128>(media_us) * interval_.den * 2 + den, den * 2);
}

int64_t FrameGrid::MediaMicros(int64_t index) const {
  return FloorDiv(static_cast<i128>(index) * interval_.num * kMicros, interval_.den);
}

int64_t FrameGrid::Ticks(int64_t index, int64_t timescale) const {
  return FloorDiv(static_cast<i128>(index) * interval_.num * timescale, interval_.den);
}

bool FrameGrid::TicksExact(int64_t timescale) const {
  return (static_cast<i128>(interval_.num) * timescale) % interval_.den == 0;
}

int64_t FrameGrid::SegmentOf(int64_t index, int64_t segment_us) const {
  // n with n*D <= t_i < (n+1)*D, t_i exact: floor(i*num*1e6 / (den*D))
  return FloorDiv(static_cast<i128>(index) * interval_.num * kMicros,
                  static_cast<i128>(interval_.den) * segment_us);
}

int64_t FrameGrid::ChunkOf(int64_t index, int64_t n, int64_t segment_us, int64_t chunk_us) const {
  // floor((t_i - n*D) / c) with t_i exact
  const i128 t_num = static_cast<i128>(index) * interval_.num * kMicros;  // t_i * den
  const i128 offset = t_num - static_cast<i128>(n) * segment_us * interval_.den;
  return FloorDiv(offset, static_cast<i128>(chunk_us) * interval_.den);
}

int64_t FrameGrid::IndexOfTicks(int64_t ticks, int64_t timescale) const {
  // nearest i to ticks * den / (num * timescale)
  const i128 den = static_cast<i128>(interval_.num) * timescale;
  return FloorDiv(static_cast<i128>(ticks) * interval_.den * 2 + den, den * 2);
}

int64_t ChooseVideoTimescale(Rational fps, int64_t segment_us) {
  const FrameGrid grid = FrameGrid::ForFrameRate(fps);
  auto fits = [&](int64_t ts) {
    return grid.TicksExact(ts) && (static_cast<i128>(segment_us) * ts) % kMicros == 0;
  };
  if (fits(90000)) return 90000;
  for (int64_t k = 1; k <= 1000; ++k) {
    if (fits(fps.num * k)) return fps.num * k;
  }
  return 90000;  // unreachable for validated inputs (D in whole milliseconds)
}

int64_t RescaleRounded(int64_t value, int64_t num, int64_t den) {
  return FloorDiv(2 * static_cast<i128>(value) * num + den, 2 * static_cast<i128>(den));
}

}  // namespace onair
