#include "core/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

namespace onair {

UtcMicros SystemClock::Now() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

void SystemClock::SleepUntil(UtcMicros t) {
  using namespace std::chrono;
  std::this_thread::sleep_until(system_clock::time_point(microseconds(t)));
}

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

void SimulatedClock::SleepUntil(UtcMicros t) {
  int64_t cur = now_.load();
  while (cur < t && !now_.compare_exchange_weak(cur, t)) {
  }
}

namespace {

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

namespace {

// The n digits at text[at...], or -1 where one is not a digit (or text is too short).
int Digits(std::string_view text, size_t at, size_t n) {
  if (text.size() < at + n) return -1;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

}  // namespace

// Read by hand, not by sscanf: QoE batches carry one per event (the metrics service's hot path).
StatusOr<UtcMicros> ParseUtc(std::string_view text) {
  const int y = Digits(text, 0, 4), mo = Digits(text, 5, 2), d = Digits(text, 8, 2),
            h = Digits(text, 11, 2), mi = Digits(text, 14, 2), s = Digits(text, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 || text[4] != '-' || text[7] != '-' ||
      text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return InvalidArgument("not an ISO 8601 UTC time (want 2026-11-23T10:00:00Z): '" +
                           std::string(text) + "'");
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return InvalidArgument("time out of range: '" + std::string(text) + "'");
  }
  std::string_view rest = text.substr(19);
  int64_t micros = 0;
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    int64_t scale = 100000;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
      micros += (rest[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == 1) return InvalidArgument("bad fractional seconds in '" + std::string(text) + "'");
    rest = rest.substr(i);
  }
  if (rest != "Z" && rest != "+00:00") {
    return InvalidArgument("time must be UTC, ending in Z: '" + std::string(text) + "'");
  }
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60 * 1000000LL + s * 1000000LL + micros;
}

std::string FormatUtc(UtcMicros t, bool with_millis) {
  int64_t secs = SecondOf(t);
  int64_t micros = t - secs * 1000000;
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  if (with_millis) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(micros / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  return buf;
}

}  // namespace onair
