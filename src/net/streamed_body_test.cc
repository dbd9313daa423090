#include "net/streamed_body.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace onair::net {
namespace {

TEST(StreamedBody, ReadersSeeThePiecesSoFarThenTheEnd) {
  StreamedBody body;
  body.Append("ab");
  body.Append("");  // ignored
  body.Append("cde");
  StreamedBody::View v = body.Read(0);
  ASSERT_EQ(v.pieces.size(), 2u);
  EXPECT_EQ(*v.pieces[1], "cde");
  EXPECT_EQ(v.state, StreamedBody::State::kGrowing);
  EXPECT_NE(v.first_arrival, StreamedBody::TimePoint{});
  EXPECT_EQ(body.Read(1).pieces.size(), 1u);
  EXPECT_TRUE(body.Finish());
  EXPECT_FALSE(body.Finish());
  EXPECT_FALSE(body.Fail());  // a complete body stays complete
  body.Append("late");        // ignored once ended
  EXPECT_EQ(body.size(), 5);
  EXPECT_EQ(body.Read(2).state, StreamedBody::State::kComplete);
  body.Drop();
  EXPECT_TRUE(body.Read(0).pieces.empty());
  EXPECT_EQ(body.size(), 5);
}

TEST(StreamedBody, AFailedBodyDropsItsPieces) {
  StreamedBody body;
  body.Append("half");
  EXPECT_TRUE(body.Fail());
  StreamedBody::View v = body.Read(0);
  EXPECT_TRUE(v.pieces.empty());
  EXPECT_EQ(v.state, StreamedBody::State::kFailed);
}

TEST(StreamedBody, ACaughtUpReaderIsWokenByTheNextPiece) {
  boost::asio::io_context io;
  StreamedBody body;
  auto waiter = std::make_shared<Waiter>(io.get_executor());
  EXPECT_TRUE(body.Read(0, waiter).pieces.empty());  // registers the waiter
  body.Append("x");                                  // wakes it (no wake-up is lost)
  bool woken = false;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        woken = co_await waiter->Wait(std::chrono::steady_clock::now() + std::chrono::seconds(5));
      },
      boost::asio::detached);
  io.run();
  EXPECT_TRUE(woken);
}

}  // namespace
}  // namespace onair::net
