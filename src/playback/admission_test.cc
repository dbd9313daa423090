#include "playback/admission.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <vector>

namespace onair::playback {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
const Admission::Clock::time_point kT0 = Admission::Clock::time_point{} + std::chrono::hours(1);

AdmissionOptions Fixed(double limit) {
  AdmissionOptions o;
  o.initial_limit = o.min_limit = o.max_limit = limit;
  return o;
}

// Admits requests of priority p until one is refused; how many got in.
int Fill(Admission& a, Priority p) {
  int n = 0;
  while (a.TryAdmit(p, kT0)) n++;
  return n;
}

TEST(Admission, TheLeastCriticalAreRefusedFirst) {
  Admission a(Fixed(100), 1);
  EXPECT_EQ(Fill(a, Priority::kOther), 60);         // refused from 60 % of the limit
  EXPECT_EQ(Fill(a, Priority::kCatchUpStart), 10);  // from 70 %
  EXPECT_EQ(Fill(a, Priority::kLiveStart), 10);     // from 80 %
  EXPECT_FALSE(a.TryAdmit(Priority::kOther, kT0));
  EXPECT_EQ(a.in_flight(), 80);
  EXPECT_EQ(a.shed(Priority::kOther), 2);
  EXPECT_EQ(a.admitted(Priority::kLiveStart), 10);
  for (int k = 0; k < 15; ++k) a.Done(microseconds(1000));
  EXPECT_EQ(Fill(a, Priority::kLiveStart), 15);  // room again, live starts first in line
  EXPECT_FALSE(a.TryAdmit(Priority::kOther, kT0));
}

// Rounds of: admit live starts up to the limit's share, then end them all with the latency
// `latency_us(in_flight)`.
void Rounds(Admission& a, int rounds, const std::function<double(int64_t)>& latency_us) {
  for (int r = 0; r < rounds; ++r) {
    const int n = Fill(a, Priority::kLiveStart);
    const double l = latency_us(a.in_flight());
    for (int k = 0; k < n; ++k) a.Done(microseconds(static_cast<int64_t>(l)));
  }
}

TEST(Admission, TheLimitHoldsLatencyAtItsTargetAndFollowsTheService) {
  Admission a({}, 1);  // target 5 ms
  // A service that serves 500 at once in 1 ms; beyond, requests queue.
  double per_ms = 500;
  auto latency = [&](int64_t in_flight) { return 1000.0 * std::max(1.0, in_flight / per_ms); };
  auto settle = [&](double* lowest, double* highest) {
    Rounds(a, 100, latency);
    *lowest = 1e9, *highest = 0;
    for (int r = 0; r < 20; ++r) {
      const int n = Fill(a, Priority::kLiveStart);
      *lowest = std::min(*lowest, latency(n));
      *highest = std::max(*highest, latency(n));
      for (int k = 0; k < n; ++k) a.Done(microseconds(static_cast<int64_t>(latency(n))));
    }
  };
  double lowest, highest;
  settle(&lowest, &highest);
  EXPECT_GT(lowest, 4000);   // uses what it may
  EXPECT_LT(highest, 5500);  // and no more
  const double fast = a.limit();
  per_ms = 100;  // the service becomes five times slower (a heavier answer, a busy machine)
  settle(&lowest, &highest);
  EXPECT_LT(a.limit(), fast / 3);
  EXPECT_GT(lowest, 4000);
  EXPECT_LT(highest, 5500);
}

TEST(Admission, AnIdleServiceDoesNotGrowItsLimit) {
  Admission a({}, 1);
  const double before = a.limit();
  for (int k = 0; k < 1000; ++k) {  // one request at a time: far below half the limit
    ASSERT_TRUE(a.TryAdmit(Priority::kOther, kT0));
    a.Done(microseconds(500));
  }
  EXPECT_EQ(a.limit(), before);
}

TEST(Admission, RetriesAreSpreadOverTheTimeItTakesToServeThem) {
  Admission a(Fixed(100), 7);
  std::vector<int64_t> quiet;
  for (int k = 0; k < 200; ++k) quiet.push_back(a.RetryAfterMs(Priority::kLiveStart, kT0));
  EXPECT_GE(*std::min_element(quiet.begin(), quiet.end()), 1000);
  EXPECT_LE(*std::max_element(quiet.begin(), quiet.end()), 2000);  // jitter even when calm

  // One second: 80 admitted, then 800 refused (ten times what it serves).
  Fill(a, Priority::kLiveStart);
  for (int k = 0; k < 800; ++k) a.TryAdmit(Priority::kLiveStart, kT0 + milliseconds(500));
  const auto later = kT0 + milliseconds(1100);  // the next second, about the last one
  std::vector<int64_t> live, other;
  for (int k = 0; k < 2000; ++k) {
    live.push_back(a.RetryAfterMs(Priority::kLiveStart, later));
    other.push_back(a.RetryAfterMs(Priority::kOther, later));
  }
  std::sort(live.begin(), live.end());
  std::sort(other.begin(), other.end());
  // 800 refused at 80 a second: spread over 10 s, so they come back at about 80 a second.
  EXPECT_GE(live.front(), 1000);
  EXPECT_LE(live.back(), 10'100);  // 801 refused at 80 a second
  EXPECT_GT(live.back(), 9'000);
  int per_second[10] = {};
  for (int64_t ms : live) per_second[std::min<int64_t>(9, ms / 1000)]++;
  for (int s = 1; s < 10; ++s) {  // no wave: every second of the window gets its share
    EXPECT_GT(per_second[s], 2000 / 9 / 2) << s;
    EXPECT_LT(per_second[s], 2000 / 9 * 2) << s;
  }
  EXPECT_LE(other.back(), 20'200);  // others wait twice as long
  EXPECT_GT(other.back(), 18'000);
}

}  // namespace
}  // namespace onair::playback
