#include "origin/rules.h"

#include <gtest/gtest.h>

namespace onair::origin {
namespace {

const bool kNoMask[2] = {false, false};

Offer Clean() { return {true, true, {}}; }
Offer Writing() { return {true, false, {}}; }
Offer Flagged(std::vector<std::string> d) { return {true, true, std::move(d)}; }

TEST(Select, PreferredCleanCandidateFirst) {
  const Offer offers[2] = {Clean(), Clean()};
  EXPECT_EQ(Select(offers, 0, kNoMask).pipeline, 0);
  EXPECT_EQ(Select(offers, 1, kNoMask).pipeline, 1);
  EXPECT_EQ(Select(offers, 1, kNoMask).reason, "preferred");
}

TEST(Select, FallsBackToTheOtherWhenThePreferredIsMissingOrFlagged) {
  const Offer missing[2] = {{}, Clean()};
  EXPECT_EQ(Select(missing, 0, kNoMask).pipeline, 1);
  EXPECT_EQ(Select(missing, 0, kNoMask).reason, "fallback");
  const Offer flagged[2] = {Flagged({"black"}), Clean()};
  EXPECT_EQ(Select(flagged, 0, kNoMask).pipeline, 1);
  EXPECT_FALSE(Select(flagged, 0, kNoMask).defective);
}

TEST(Select, StreamsACandidateBeingWrittenBeforeADefectiveOne) {
  const Offer offers[2] = {Flagged({"no-input"}), Writing()};
  Selection s = Select(offers, 0, kNoMask);
  EXPECT_EQ(s.pipeline, 1);
  EXPECT_EQ(s.reason, "streaming");
}

TEST(Select, BothDefectiveServesTheLessDamagedWithTheDefects) {
  const Offer offers[2] = {Flagged({"corrupt"}), Flagged({"black", "silent"})};
  Selection s = Select(offers, 0, kNoMask);
  EXPECT_EQ(s.pipeline, 1);
  EXPECT_TRUE(s.defective);
  EXPECT_EQ(s.reason, "better-defective");
  const Offer tie[2] = {Flagged({"black"}), Flagged({"frozen"})};
  EXPECT_EQ(Select(tie, 0, kNoMask).pipeline, 0);
}

TEST(Select, AMaskedPipelineIsNeverServed) {
  const bool mask_a[2] = {true, false};
  const Offer offers[2] = {Clean(), Flagged({"black"})};
  EXPECT_EQ(Select(offers, 0, mask_a).pipeline, 1);
  const Offer only_a[2] = {Clean(), {}};
  EXPECT_EQ(Select(only_a, 0, mask_a).pipeline, -1);
}

// The fields the timing rules read, as the tests name them.
struct Event {
  UtcMicros ast = 1'000'000'000;
  int64_t segment_us = 2'000'000;
  operator EpochTimeline() const { return EpochTimeline(ast, segment_us); }  // NOLINT
};

TEST(Decide, HoldsTheSegmentBeingCapturedAndTheNextOne) {
  const Event e;
  const UtcMicros now = e.ast + 10 * e.segment_us + 300'000;  // segment 10 is being captured
  Decision d = Decide(e, 10, now);
  EXPECT_EQ(d.answer, Answer::kHold);
  EXPECT_EQ(d.until, now + 2'500'000);
  // The next one is held from its start: however early the read, its first chunk (due a
  // chunk after the start) has the same margin.
  d = Decide(e, 11, now);
  EXPECT_EQ(d.answer, Answer::kHold);
  EXPECT_EQ(d.until, e.ast + 11 * e.segment_us + 2'500'000);
}

TEST(Decide, LaterSegmentsAreNotYetUntilTheyBecomeTheNext) {
  const Event e;
  const UtcMicros now = e.ast + 10 * e.segment_us + 300'000;
  Decision d = Decide(e, 14, now);
  EXPECT_EQ(d.answer, Answer::kNotYet);
  EXPECT_EQ(d.until, e.ast + 13 * e.segment_us);
}

TEST(Decide, PastTheDeadlineOrBeforeTheStartIsGone) {
  const Event e;
  const UtcMicros now = e.ast + 10 * e.segment_us + 300'000;
  EXPECT_EQ(Decide(e, 7, now).answer, Answer::kGone);
  EXPECT_EQ(Decide(e, -1, now).answer, Answer::kGone);
  // Segment 8 was whole at 9·D and its publisher may retry until 10·D (+ D/4 margin).
  Decision d = Decide(e, 8, now);
  EXPECT_EQ(d.answer, Answer::kHold);
  EXPECT_EQ(d.until, e.ast + 10 * e.segment_us + 500'000);
}

TEST(IsLiveEdge, TheLastFewSegmentsAndLater) {
  const Event e;
  const UtcMicros now = e.ast + 10 * e.segment_us;
  EXPECT_TRUE(IsLiveEdge(e, 12, now));
  EXPECT_TRUE(IsLiveEdge(e, 7, now));
  EXPECT_FALSE(IsLiveEdge(e, 6, now));
}

}  // namespace
}  // namespace onair::origin
