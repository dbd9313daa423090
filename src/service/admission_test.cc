#include "service/admission.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <vector>

namespace onair::service {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
const MonoTime kT0 = SimulatedClock(0).Monotonic();

AdmissionOptions Fixed(double limit) {
  AdmissionOptions o;
  o.adaptive = true;
  o.take_turns = true;
  o.initial_limit = o.min_limit = o.max_limit = limit;
  return o;
}

// Admits requests of priority p until one is refused, keeping them in flight; how many got in.
int Fill(Admission& a, Priority p, std::deque<Ticket>* held) {
  int n = 0;
  for (;;) {
    if (!a.TryAdmit(p, kT0, &held->emplace_back())) {
      held->pop_back();
      return n;
    }
    n++;
  }
}

TEST(Admission, TheLeastCriticalAreRefusedFirst) {
  Admission a(Fixed(100), 1);
  std::deque<Ticket> held;
  EXPECT_EQ(Fill(a, Priority::kOther, &held), 60);    // refused from 60 % of the limit
  EXPECT_EQ(Fill(a, Priority::kCatchUp, &held), 10);  // from 70 %
  EXPECT_EQ(Fill(a, Priority::kLive, &held), 10);     // from 80 %
  Ticket t;
  EXPECT_FALSE(a.TryAdmit(Priority::kOther, kT0, &t));
  EXPECT_EQ(a.in_flight(), 80);
  EXPECT_EQ(a.shed(Priority::kOther), 2);
  EXPECT_EQ(a.admitted(Priority::kLive), 10);
  EXPECT_EQ(a.in_flight(Priority::kOther), 60);
  for (int k = 0; k < 15; ++k) a.Done(held[static_cast<size_t>(k)], microseconds(1000));
  EXPECT_EQ(Fill(a, Priority::kLive, &held), 15);  // room again, live first in line
  Ticket u;
  EXPECT_FALSE(a.TryAdmit(Priority::kOther, kT0, &u));
  // Critical requests are never refused.
  std::deque<Ticket> critical;
  for (int k = 0; k < 50; ++k) {
    EXPECT_TRUE(a.TryAdmit(Priority::kCritical, kT0, &critical.emplace_back()));
  }
}

// Under a burst, requests admitted but still waiting for their turn give their place to more
// critical ones: the newest waiting request of the least critical priority first.
TEST(Admission, CriticalRequestsTakeThePlaceOfWaitingLessCriticalOnes) {
  Admission a(Fixed(10), 1);
  std::deque<Ticket> other, catch_up;  // tickets live with their requests
  for (int k = 0; k < 6; ++k) EXPECT_TRUE(a.Admit(Priority::kOther, kT0, &other.emplace_back()));
  Ticket refused;
  EXPECT_FALSE(a.Admit(Priority::kOther, kT0, &refused));  // its share (60 %) is full
  // Under 70 %: admitted.
  ASSERT_TRUE(a.Admit(Priority::kCatchUp, kT0, &catch_up.emplace_back()));
  // Over its share: takes the place of the newest waiting "other".
  ASSERT_TRUE(a.Admit(Priority::kCatchUp, kT0, &catch_up.emplace_back()));
  EXPECT_EQ(a.in_flight(), 7);
  EXPECT_FALSE(a.Begin(other[5]));
  EXPECT_EQ(a.shed(Priority::kOther), 2);  // the one refused and the one evicted
  EXPECT_EQ(a.admitted(Priority::kOther), 5);
  ASSERT_TRUE(a.Begin(other[0]));  // begun: it keeps its place
  // Live starts take the places of waiting "other" ones, then of catch-up starts, never of
  // one that has begun.
  std::deque<Ticket> live;
  int admitted = 0;
  for (int k = 0; k < 20; ++k) {
    if (a.Admit(Priority::kLive, kT0, &live.emplace_back())) admitted++;
  }
  EXPECT_EQ(admitted, 1 + 4 + 2);  // one free place (under 80 %), 4 others, 2 catch-ups
  EXPECT_EQ(a.shed(Priority::kLive), 13);
  for (int k = 1; k < 5; ++k) EXPECT_FALSE(a.Begin(other[static_cast<size_t>(k)]));
  for (auto& t : catch_up) EXPECT_FALSE(a.Begin(t));
  EXPECT_EQ(a.in_flight(), 8);
  // A request dropped before its turn, or after it without Done, gives its place back.
  Admission b(Fixed(10), 1);
  {
    Ticket waiting, running;
    ASSERT_TRUE(b.Admit(Priority::kLive, kT0, &waiting));
    ASSERT_TRUE(b.TryAdmit(Priority::kLive, kT0, &running));
    EXPECT_EQ(b.in_flight(), 2);
  }
  EXPECT_EQ(b.in_flight(), 0);
}

// The origin's shape: no adaptive limit, fixed caps per class, and the event loops' lag.
TEST(Admission, FixedCapsAndLoopLagShedTheLessCriticalFirst) {
  AdmissionOptions o;
  o.max_in_flight[static_cast<int>(Priority::kLive)] = 3;
  o.max_in_flight[static_cast<int>(Priority::kCatchUp)] = 2;
  o.shed_lag_ms[static_cast<int>(Priority::kCatchUp)] = 50;
  o.shed_lag_ms[static_cast<int>(Priority::kLive)] = 250;
  Admission a(o, 1);
  std::deque<Ticket> held;
  EXPECT_EQ(Fill(a, Priority::kCatchUp, &held), 2);
  EXPECT_EQ(Fill(a, Priority::kLive, &held), 3);
  held.clear();  // every place given back
  EXPECT_EQ(a.in_flight(), 0);
  a.SetLoopLagMs(100);  // over the catch-up threshold only
  EXPECT_FALSE(a.WouldAdmit(Priority::kCatchUp));
  EXPECT_TRUE(a.WouldAdmit(Priority::kLive));
  Ticket t1, t2, t3;
  EXPECT_FALSE(a.TryAdmit(Priority::kCatchUp, kT0, &t1));
  EXPECT_TRUE(a.TryAdmit(Priority::kLive, kT0, &t2));
  a.SetLoopLagMs(300);
  EXPECT_FALSE(a.TryAdmit(Priority::kLive, kT0, &t3));
  EXPECT_TRUE(a.WouldAdmit(Priority::kCritical));
  EXPECT_EQ(a.shed(Priority::kCatchUp), 2);
  EXPECT_EQ(a.shed(Priority::kLive), 2);
}

// Rounds of: admit live starts up to the limit's share, then end them all with the latency
// `latency_us(in_flight)`.
void Rounds(Admission& a, int rounds, const std::function<double(int64_t)>& latency_us) {
  for (int r = 0; r < rounds; ++r) {
    std::deque<Ticket> held;
    const int n = Fill(a, Priority::kLive, &held);
    const double l = latency_us(a.in_flight());
    for (int k = 0; k < n; ++k) {
      a.Done(held[static_cast<size_t>(k)], microseconds(static_cast<int64_t>(l)));
    }
  }
}

AdmissionOptions Adaptive() {
  AdmissionOptions o;
  o.adaptive = true;
  return o;
}

TEST(Admission, TheLimitHoldsLatencyAtItsTargetAndFollowsTheService) {
  Admission a(Adaptive(), 1);  // target 5 ms
  // A service that serves 500 at once in 1 ms; beyond, requests queue.
  double per_ms = 500;
  auto latency = [&](int64_t in_flight) { return 1000.0 * std::max(1.0, in_flight / per_ms); };
  auto settle = [&](double* lowest, double* highest) {
    Rounds(a, 100, latency);
    *lowest = 1e9, *highest = 0;
    for (int r = 0; r < 20; ++r) {
      std::deque<Ticket> held;
      const int n = Fill(a, Priority::kLive, &held);
      *lowest = std::min(*lowest, latency(n));
      *highest = std::max(*highest, latency(n));
      for (auto& t : held) a.Done(t, microseconds(static_cast<int64_t>(latency(n))));
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
  Admission a(Adaptive(), 1);
  const double before = a.limit();
  for (int k = 0; k < 1000; ++k) {  // one request at a time: far below half the limit
    Ticket t;
    ASSERT_TRUE(a.TryAdmit(Priority::kOther, kT0, &t));
    a.Done(t, microseconds(500));
  }
  EXPECT_EQ(a.limit(), before);
}

TEST(Admission, RetriesAreScheduledIntoTheSecondsAheadAtTheRateItServes) {
  {
    Admission calm(Fixed(100), 7);
    std::deque<Ticket> held;
    Fill(calm, Priority::kLive, &held);  // 80 admitted this second
    for (int k = 0; k < 10; ++k) {
      const int64_t ms = calm.RetryAfterMs(Priority::kLive, kT0 + milliseconds(300));
      EXPECT_GE(ms, 1000);
      EXPECT_LT(ms, 1700);  // the rest of the next second: a little jitter, no long wait
    }
  }
  // One second: 80 admitted, then 800 refused (ten times what it serves).
  Admission a(Fixed(100), 7);
  std::deque<Ticket> held;
  Fill(a, Priority::kLive, &held);
  for (int k = 0; k < 800; ++k) {
    Ticket t;
    a.TryAdmit(Priority::kLive, kT0 + milliseconds(500), &t);
  }
  const auto later = kT0 + milliseconds(1100);  // the next second: 80 a second is the rate
  std::vector<int64_t> live, other;
  for (int k = 0; k < 800; ++k) live.push_back(a.RetryAfterMs(Priority::kLive, later));
  for (int k = 0; k < 800; ++k) other.push_back(a.RetryAfterMs(Priority::kOther, later));
  std::sort(live.begin(), live.end());
  std::sort(other.begin(), other.end());
  // They come back at 80 a second, never more (no second wave): live starts over the next
  // ten seconds, the others after them (they start waiting a second later).
  const int64_t base_ms =
      std::chrono::duration_cast<milliseconds>(later.time_since_epoch()).count();
  std::map<int64_t, int> per_second;
  for (int64_t ms : live) per_second[(base_ms + ms) / 1000]++;
  for (int64_t ms : other) per_second[(base_ms + ms) / 1000]++;
  for (const auto& [second, n] : per_second) EXPECT_LE(n, 80) << second;
  EXPECT_EQ(per_second.size(), 20u);
  EXPECT_GE(live.front(), 1000);
  EXPECT_GT(live.back(), 9'900);
  EXPECT_LT(live.back(), 11'000);
  EXPECT_GE(other.front(), 2000);
  EXPECT_GT(other.back(), 19'900);
  EXPECT_LT(other.back(), 21'000);
}

TEST(Priority, ClientsMayAskForEveryClassButCritical) {
  EXPECT_EQ(ParsePriority("live"), Priority::kLive);
  EXPECT_EQ(ParsePriority("catch-up"), Priority::kCatchUp);
  EXPECT_EQ(ParsePriority("other"), Priority::kOther);
  EXPECT_FALSE(ParsePriority("critical"));
  EXPECT_FALSE(ParsePriority(""));
  EXPECT_STREQ(PriorityName(Priority::kCatchUp), "catch-up");
}

}  // namespace
}  // namespace onair::service
