// The pipeline publishing to origins over real HTTP: chunked PUTs as chunks are produced,
// identity and token on every request, defects in the trailer, retries inside the budget.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "e2e/pipeline_helpers.h"
#include "support/recording_server.h"

namespace onair::test {
namespace {

std::vector<RecordedRequest> SegmentPuts(const std::vector<RecordedRequest>& all,
                                         const std::string& rendition) {
  std::vector<RecordedRequest> out;
  for (const auto& r : all) {
    if (r.method == "PUT" && r.target.find("/" + rendition + "/") != std::string::npos &&
        r.target.find(".m4s") != std::string::npos) {
      out.push_back(r);
    }
  }
  return out;
}

TEST(Publish, ChunkedPutsToEveryOriginAsChunksAreProduced) {
  RecordingServer first, second;
  const std::string dir = TempDir("publish");
  WriteFile(dir + "/ladder.json", SmallLadder());
  CommandResult r =
      RunCommand(PipelineArgs(dir, dir + "/ladder.json", "test:480x270@30", 4,
                              {"--publish", first.url(), "--publish", second.url() + "/", "--token",
                               "s3cret", "--pipeline", "B"}),
                 60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (RecordingServer* origin : {&first, &second}) {
    const auto all = origin->requests();
    std::set<std::string> inits;
    for (const auto& req : all) {
      EXPECT_EQ(req.method, "PUT");
      EXPECT_EQ(req.headers.at("authorization"), "Bearer s3cret");
      EXPECT_EQ(req.headers.at("x-onair-pipeline"), "B");
      if (req.target.find("init.mp4") != std::string::npos) inits.insert(req.target);
    }
    EXPECT_EQ(inits, (std::set<std::string>{"/live/e2e/270p/init.mp4", "/live/e2e/136p/init.mp4",
                                            "/live/e2e/audio/init.mp4"}));
    for (const std::string rendition : {"270p", "136p", "audio"}) {
      SCOPED_TRACE(rendition);
      auto puts = SegmentPuts(all, rendition);
      auto log = SegmentLog(dir + "/out", rendition);
      ASSERT_EQ(puts.size(), log.size());
      for (size_t k = 0; k < puts.size(); ++k) {
        const int64_t n = log[k]["number"];
        EXPECT_EQ(puts[k].target, "/live/e2e/" + rendition + "/" + std::to_string(n) + ".m4s");
        // The same bytes as the directory sink wrote, streamed in chunks (0.5 s each): the
        // first chunk arrived well before the segment was complete.
        EXPECT_TRUE(puts[k].body ==
                    ReadFile(dir + "/out/" + rendition + "/" + std::to_string(n) + ".m4s"))
            << "published bytes differ from the segment (" << puts[k].body.size() << " bytes)";
        EXPECT_TRUE(puts[k].chunked);
        ASSERT_GE(puts[k].chunk_times.size(), 4u);
        const auto spread = puts[k].chunk_times.back() - puts[k].chunk_times.front();
        EXPECT_GT(spread, std::chrono::milliseconds(1000));
        EXPECT_EQ(puts[k].headers.count("x-onair-defects"), 1u) << "no defects trailer";
        EXPECT_EQ(puts[k].headers.at("x-onair-defects"), "");
      }
    }
  }
}

TEST(Publish, AFailedUploadIsRetriedWholeWithinTheBudget) {
  // The origin refuses the first attempt at every segment with 503.
  std::mutex mu;
  std::set<std::string> seen;
  RecordingServer origin([&](const RecordedRequest& req) {
    std::lock_guard<std::mutex> lock(mu);
    return seen.insert(req.target).second ? 503 : 201;
  });
  const std::string dir = TempDir("retry");
  WriteFile(dir + "/ladder.json", SmallLadder());
  CommandResult r = RunCommand(PipelineArgs(dir, dir + "/ladder.json", "test:480x270@30", 4,
                                            {"--publish", origin.url(), "--token", "t"}),
                               60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto all = origin.requests();
  for (const std::string rendition : {"270p", "audio"}) {
    auto puts = SegmentPuts(all, rendition);
    auto log = SegmentLog(dir + "/out", rendition);
    ASSERT_EQ(puts.size(), 2 * log.size()) << rendition;
    for (size_t k = 0; k < log.size(); ++k) {
      const RecordedRequest& retry = puts[2 * k + 1];
      EXPECT_FALSE(retry.chunked);
      EXPECT_TRUE(retry.body == ReadFile(dir + "/out/" + rendition + "/" +
                                         std::to_string(log[k]["number"].get<int64_t>()) + ".m4s"))
          << "re-sent bytes differ (" << retry.body.size() << " bytes)";
      EXPECT_EQ(retry.headers.count("x-onair-defects"), 1u);
    }
  }
  EXPECT_NE(r.err.find("re-sent whole"), std::string::npos);
}

TEST(Publish, AnOriginThatComesBackLateGetsTheInitSegmentAgain) {
  // The origin answers 503 to everything for its first 6 seconds: longer than the init
  // segment's own budget. Once it is back, it gets the init segment before more segments.
  const auto up_at = std::chrono::steady_clock::now() + std::chrono::seconds(6);
  std::mutex mu;
  std::vector<std::string> accepted;
  RecordingServer origin([&](const RecordedRequest& req) {
    if (req.done < up_at) return 503;
    std::lock_guard<std::mutex> lock(mu);
    accepted.push_back(req.target);
    return 201;
  });
  const std::string dir = TempDir("lateorigin");
  WriteFile(dir + "/ladder.json", SmallLadder());
  CommandResult r = RunCommand(
      PipelineArgs(dir, dir + "/ladder.json", "test:480x270@30", 10, {"--publish", origin.url()}),
      60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::lock_guard<std::mutex> lock(mu);
  for (const std::string rendition : {"270p", "audio"}) {
    std::vector<std::string> mine;
    for (const auto& t : accepted) {
      if (t.find("/" + rendition + "/") != std::string::npos) mine.push_back(t);
    }
    ASSERT_GE(mine.size(), 2u) << rendition;
    EXPECT_EQ(mine.front(), "/live/e2e/" + rendition + "/init.mp4");
  }
}

TEST(Publish, ARefusedTokenIsReportedNotRetriedForever) {
  RecordingServer origin([](const RecordedRequest&) { return 401; });
  const std::string dir = TempDir("refused");
  WriteFile(dir + "/ladder.json", SmallLadder());
  CommandResult r = RunCommand(PipelineArgs(dir, dir + "/ladder.json", "test:480x270@30", 4,
                                            {"--publish", origin.url(), "--token", "wrong"}),
                               60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("HTTP 401"), std::string::npos) << r.err;
  // Still wrote every segment locally.
  EXPECT_EQ(SegmentLog(dir + "/out", "270p").size(), 2u);
}

TEST(Publish, ADeadOriginCostsNothingToTheOthers) {
  RecordingServer alive;
  const int dead_port = FreeTcpPort();  // nobody listens there
  const std::string dir = TempDir("deadorigin");
  WriteFile(dir + "/ladder.json", SmallLadder());
  const auto start = std::chrono::steady_clock::now();
  CommandResult r = RunCommand(
      PipelineArgs(
          dir, dir + "/ladder.json", "test:480x270@30", 4,
          {"--publish", "http://127.0.0.1:" + std::to_string(dead_port), "--publish", alive.url()}),
      60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15))
      << "hung on the dead origin";
  auto puts = SegmentPuts(alive.requests(), "270p");
  EXPECT_EQ(puts.size(), 2u);
  for (const auto& p : puts) EXPECT_TRUE(p.chunked);
}

}  // namespace
}  // namespace onair::test
