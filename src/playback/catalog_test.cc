// The catalog's bookkeeping on a simulated clock: no network, no sleeping.
#include "playback/catalog.h"

#include <gtest/gtest.h>

namespace onair::playback {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

std::shared_ptr<const CatalogEvent> Show() {
  auto ev = std::make_shared<CatalogEvent>();
  ev->version = 1;
  ev->config.event = "show";
  return ev;
}

struct CatalogTest : ::testing::Test {
  SimulatedClock clock{0};
  Catalog catalog{{"http://origin.example"}, CatalogOptions{}, &clock};
};

TEST_F(CatalogTest, AFirstAskIsQueuedAndItsWaitersWokenWhenTheFetchEnds) {
  int woken = 0;
  EXPECT_EQ(catalog.Find("show", [&] { ++woken; }).state, Catalog::State::kPending);
  EXPECT_EQ(catalog.Find("show", [&] { ++woken; }).state, Catalog::State::kPending);
  EXPECT_EQ(catalog.TakeQueued(), std::vector<std::string>{"show"}) << "queued once";
  catalog.Apply("show", {Catalog::State::kReady, Show()}, true);
  EXPECT_EQ(woken, 2);
  Catalog::Found f = catalog.Find("show", nullptr);
  EXPECT_EQ(f.state, Catalog::State::kReady);
  EXPECT_EQ(f.event->config.event, "show");
  EXPECT_EQ(catalog.Events().size(), 1u);
  EXPECT_TRUE(catalog.reachable());
  clock.Advance(seconds(6));
  EXPECT_FALSE(catalog.reachable()) << "nothing heard from the origin for 5 s";
}

TEST_F(CatalogTest, NoSuchEventIsBelievedForAWhileThenAskedAgain) {
  catalog.Find("gone", nullptr);
  catalog.TakeQueued();
  catalog.Apply("gone", {Catalog::State::kMissing, nullptr}, true);
  EXPECT_EQ(catalog.Find("gone", nullptr).state, Catalog::State::kMissing);
  clock.Advance(milliseconds(1999));
  EXPECT_EQ(catalog.Find("gone", nullptr).state, Catalog::State::kMissing);
  clock.Advance(milliseconds(2));
  EXPECT_EQ(catalog.Find("gone", nullptr).state, Catalog::State::kPending);
}

TEST_F(CatalogTest, KnownEventsAreRefreshedWhileAskedAndForgottenWhenNot) {
  catalog.Find("show", nullptr);
  catalog.TakeQueued();
  catalog.Apply("show", {Catalog::State::kReady, Show()}, true);
  clock.Advance(seconds(5));
  catalog.Tick();
  EXPECT_TRUE(catalog.TakeQueued().empty()) << "fresh for 10 s";
  clock.Advance(seconds(6));
  catalog.Tick();
  EXPECT_EQ(catalog.TakeQueued(), std::vector<std::string>{"show"});
  // An origin that does not answer does not make a known event unknown.
  catalog.Apply("show", {Catalog::State::kUnreachable, nullptr}, false);
  EXPECT_EQ(catalog.Find("show", nullptr).state, Catalog::State::kReady);
  clock.Advance(minutes(11));
  catalog.Tick();
  EXPECT_TRUE(catalog.Events().empty()) << "nobody asked for 10 minutes";
}

TEST_F(CatalogTest, MadeUpNamesCannotGrowItWithoutBound) {
  CatalogOptions o;
  o.most_events = 3;
  Catalog small({"http://origin.example"}, o, &clock);
  for (const char* name : {"a", "b", "c"}) small.Find(name, nullptr);
  EXPECT_EQ(small.Find("d", nullptr).state, Catalog::State::kUnreachable);
}

}  // namespace
}  // namespace onair::playback
