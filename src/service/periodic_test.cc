#include "service/periodic.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace onair::service {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(PeriodicTask, RunsAtItsRateAndNeverCatchesUpInABurst) {
  SimulatedClock clock(0);
  const MonoTime t0 = clock.Monotonic();
  // A quick run: the next one interval after the last one started.
  EXPECT_EQ(PeriodicTask::NextRun(t0, t0 + milliseconds(30), seconds(1)), t0 + seconds(1));
  // A run longer than the interval (a slow upstream): the next one at once, not three.
  EXPECT_EQ(PeriodicTask::NextRun(t0, t0 + milliseconds(3500), seconds(1)),
            t0 + milliseconds(3500));
}

// The driver on a real loop: the first run at once, the next ones after the interval, none
// after Stop.
TEST(PeriodicTask, RunsOnItsLoopUntilStopped) {
  boost::asio::io_context ctx;
  int runs = 0;
  auto task = std::make_shared<PeriodicTask>("count", milliseconds(5), PeriodicTask::Plain([&] {
                                               if (++runs == 3) ctx.stop();
                                             }),
                                             &SystemClock::Instance());
  task->Start(ctx.get_executor());
  ctx.run_for(seconds(5));
  EXPECT_EQ(runs, 3);
  EXPECT_GE(task->runs(), 2);
  task->Stop();
  ctx.restart();
  ctx.run_for(milliseconds(50));
  EXPECT_EQ(runs, 3) << "no run starts after Stop";
}

}  // namespace
}  // namespace onair::service
