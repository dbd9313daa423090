#include "net/outbox.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace onair::net {
namespace {

using namespace std::chrono_literals;

// Waits (bounded) for what a thread of the outbox makes true.
template <typename F>
bool Eventually(F f) {
  for (int i = 0; i < 500 && !f(); ++i) std::this_thread::sleep_for(10ms);
  return f();
}

TEST(Outbox, SendsInOrder) {
  std::mutex mu;
  std::vector<std::string> got;
  Outbox box(
      [&](std::string_view m) {
        std::lock_guard<std::mutex> lock(mu);
        got.emplace_back(m);
        return Status::Ok();
      },
      1000);
  for (int i = 0; i < 50; ++i) box.Offer(std::to_string(i));
  ASSERT_TRUE(Eventually([&] { return box.sent() == 50; }));
  std::lock_guard<std::mutex> lock(mu);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(got[static_cast<size_t>(i)], std::to_string(i));
  EXPECT_EQ(box.dropped(), 0u);
  EXPECT_EQ(box.waiting_bytes(), 0u);
}

TEST(Outbox, WhileThePeerIsAwayKeepsTheNewestWithinItsBoundAndCountsTheRest) {
  std::atomic<bool> up{false};
  std::mutex mu;
  std::vector<std::string> got;
  Outbox box(
      [&](std::string_view m) {
        if (!up) return Unavailable("away");
        std::lock_guard<std::mutex> lock(mu);
        got.emplace_back(m);
        return Status::Ok();
      },
      100, 5ms);
  // 30 messages of 10 bytes, offered without waiting on the peer, into a 100-byte bound.
  for (int i = 0; i < 30; ++i) box.Offer("message-" + std::to_string(10 + i));
  EXPECT_LE(box.waiting_bytes(), 100u);
  EXPECT_EQ(box.dropped(), 20u);
  ASSERT_TRUE(Eventually([&] { return box.failures() > 0; }));
  up = true;
  ASSERT_TRUE(Eventually([&] { return box.waiting_bytes() == 0; }));
  std::lock_guard<std::mutex> lock(mu);
  // The newest ten, in order (the one being tried when the bound dropped it may come first).
  ASSERT_GE(got.size(), 10u);
  EXPECT_EQ(got.back(), "message-39");
  EXPECT_EQ(got[got.size() - 10], "message-30");
}

TEST(Outbox, StoppingDropsWhatWaits) {
  auto box =
      std::make_unique<Outbox>([](std::string_view) { return Unavailable("away"); }, 1000, 1h);
  box->Offer("a");
  box->Offer("b");
  ASSERT_TRUE(Eventually([&] { return box->failures() == 1; }));
  box.reset();  // does not wait out the retry
}

}  // namespace
}  // namespace onair::net
