// The origin end to end: the real `onair origin` fed by real pipelines A and B over HTTP,
// read over HTTP by our client and by ffmpeg.
#include <gtest/gtest.h>

#include <csignal>

#include "e2e/origin_helpers.h"
#include "support/nginx.h"
#include "support/raw_socket.h"

namespace onair::test {
namespace {

// Every read test runs twice: straight from the origin, and through Debian's nginx with
// proxy_cache in front of it (a standard cache must behave with the origin's answers).
class OriginReads : public ::testing::TestWithParam<bool> {
 protected:
  // Where reads go: the origin itself, or an nginx cache in front of it.
  std::string Reads(const std::string& dir, const OriginProcess& origin) {
    if (!GetParam()) return origin.url();
    nginx_ = std::make_unique<NginxCache>(dir + "/nginx", origin.port());
    EXPECT_GT(nginx_->port(), 0) << nginx_->error_log();
    return nginx_->url();
  }
  std::unique_ptr<NginxCache> nginx_;
};

INSTANTIATE_TEST_SUITE_P(Origin, OriginReads, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "ThroughNginx" : "Direct"; });

TEST_P(OriginReads, PipelinesAAndBPublishAndEveryNumberIsServedAndPlays) {
  const std::string dir = TempDir("origin-ab");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  const std::string reads = Reads(dir, origin);
  Background a(PublishingPipeline(dir, ev, origin.url(), "A", 8), dir + "/a.log");
  Background b(PublishingPipeline(dir, ev, origin.url(), "B", 8), dir + "/b.log");
  // A real player while the event is live: ffmpeg reads the origin's HLS playlist, once it
  // lists two segments (asked of the origin itself, so that nginx caches nothing before).
  ASSERT_TRUE(ListsSegments(origin.url(), "/live/e2e/270p/index.m3u8", 2))
      << ReadFile(dir + "/a.log");
  CommandResult play =
      RunCommand({"ffmpeg", "-v", "error", "-i", reads + "/live/e2e/270p/index.m3u8", "-t", "2",
                  "-f", "null", "-"},
                 60);
  EXPECT_EQ(play.exit_code, 0) << play.err;
  EXPECT_EQ(play.err, "");
  ASSERT_EQ(a.Wait(60), 0) << ReadFile(dir + "/a.log");
  ASSERT_EQ(b.Wait(60), 0) << ReadFile(dir + "/b.log");
  // Every number either pipeline produced is served, with A's bytes (A is preferred).
  for (const std::string r : {"270p", "136p", "audio"}) {
    auto log = SegmentLog(dir + "/out-A", r);
    ASSERT_EQ(log.size(), 4u) << r;
    for (const auto& seg : log) {
      const int64_t n = seg["number"];
      net::Response res = Get(reads, Seg(r, n));
      ASSERT_EQ(res.status, 200) << r << " " << n << " " << res.body.substr(0, 200);
      EXPECT_EQ(Header(res, "X-Onair-Pipeline"), "A");
      EXPECT_TRUE(res.body == ReadFile(dir + "/out-A/" + r + "/" + std::to_string(n) + ".m4s"))
          << "served bytes differ from A's segment " << n;
      EXPECT_NE(Header(res, "ETag"), "");
      EXPECT_NE(Header(res, "Last-Modified"), "");
      // A standard cache revalidates with the ETag.
      net::Response again = Get(reads, Seg(r, n), {{"If-None-Match", Header(res, "ETag")}});
      EXPECT_EQ(again.status, 304);
    }
  }
  const std::string metrics = Get(origin.url(), "/metrics").body;
  EXPECT_EQ(Metric(metrics, "onair_origin_writes_total{result=\"ok\"}"), 2 * (3 + 12)) << metrics;
}

TEST_P(OriginReads, KillingPipelineALosesNoSegmentNumber) {
  const std::string dir = TempDir("origin-kill");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  const std::string reads = Reads(dir, origin);
  Background a(PublishingPipeline(dir, ev, origin.url(), "A", 12), dir + "/a.log");
  Background b(PublishingPipeline(dir, ev, origin.url(), "B", 12), dir + "/b.log");
  std::this_thread::sleep_for(seconds(6));
  a.Signal(SIGKILL);
  ASSERT_EQ(b.Wait(60), 0) << ReadFile(dir + "/b.log");
  auto log = SegmentLog(dir + "/out-B", "270p");
  ASSERT_EQ(log.size(), 6u);
  int from_b = 0;
  for (const auto& seg : log) {
    const int64_t n = seg["number"];
    net::Response res = Get(reads, Seg("270p", n));
    ASSERT_EQ(res.status, 200) << n << " " << res.body.substr(0, 200);
    if (Header(res, "X-Onair-Pipeline") == "B") from_b++;
  }
  EXPECT_GE(from_b, 2) << "the segments after A died come from B";
  const std::string metrics = Get(origin.url(), "/metrics").body;
  EXPECT_GE(
      Metric(metrics, "onair_origin_candidate_choices_total{pipeline=\"B\",reason=\"fallback\"}"),
      2)
      << metrics;
}

TEST_P(OriginReads, ACorruptOrFlaggedCandidateGivesWayToTheOther) {
  const std::string dir = TempDir("origin-pick");
  EventFile ev = WriteEvent(dir);
  auto log = MakeSegments(dir, ev);
  ASSERT_EQ(log.size(), 3u);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  const std::string reads = Reads(dir, origin);
  auto put = [&](const std::string& who, const std::string& target, const std::string& body,
                 const std::string& defects) {
    return Put(origin.url(), who, target, body, defects);
  };
  const std::string init = ReadFile(dir + "/made/270p/init.mp4");
  ASSERT_EQ(put("A", Seg("270p", "init"), init, ""), 201);
  ASSERT_EQ(put("B", Seg("270p", "init"), init, ""), 201);
  const std::string n0 = std::to_string(log[0]["number"].get<int64_t>());
  const std::string n1 = std::to_string(log[1]["number"].get<int64_t>());
  const std::string n2 = std::to_string(log[2]["number"].get<int64_t>());
  const std::string good0 = ReadFile(dir + "/made/270p/" + n0 + ".m4s");
  const std::string good1 = ReadFile(dir + "/made/270p/" + n1 + ".m4s");
  const std::string good2 = ReadFile(dir + "/made/270p/" + n2 + ".m4s");
  // n0: A's upload is garbage (the origin's own check finds it), B's is good.
  std::string garbage = good0;
  garbage[10] ^= 0x55;
  garbage.resize(garbage.size() / 2);
  EXPECT_EQ(put("A", Seg("270p", n0), garbage, ""), 201);
  EXPECT_EQ(put("B", Seg("270p", n0), good0, ""), 201);
  net::Response r0 = Get(reads, Seg("270p", n0));
  EXPECT_EQ(r0.status, 200);
  EXPECT_EQ(Header(r0, "X-Onair-Pipeline"), "B");
  EXPECT_TRUE(r0.body == good0);
  // n1: A flagged black by its pipeline, B clean.
  EXPECT_EQ(put("A", Seg("270p", n1), good1, "black"), 201);
  EXPECT_EQ(put("B", Seg("270p", n1), good1, ""), 201);
  EXPECT_EQ(Header(Get(reads, Seg("270p", n1)), "X-Onair-Pipeline"), "B");
  // n2: both flagged: the less damaged one, with its defects downstream.
  EXPECT_EQ(put("A", Seg("270p", n2), good2, "no-input,black"), 201);
  EXPECT_EQ(put("B", Seg("270p", n2), good2, "frozen"), 201);
  net::Response r2 = Get(reads, Seg("270p", n2));
  EXPECT_EQ(Header(r2, "X-Onair-Pipeline"), "B");
  EXPECT_EQ(Header(r2, "X-Onair-Defects"), "frozen");
  // Another segment's media under this number is caught too.
  EXPECT_EQ(put("A", Seg("270p", n0), good1, ""), 201);
  EXPECT_EQ(Header(Get(reads, Seg("270p", n0)), "X-Onair-Pipeline"), "B");
}

TEST_P(OriginReads, HoldsTheNextSegmentAndDatesTheLaterOnes) {
  const std::string dir = TempDir("origin-timing");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  const std::string reads = Reads(dir, origin);
  Background a(PublishingPipeline(dir, ev, origin.url(), "A", 10), dir + "/a.log");
  ASSERT_TRUE(ListsSegments(origin.url(), "/live/e2e/270p/index.m3u8", 1))
      << ReadFile(dir + "/a.log");
  // The next segment: held until its first chunk lands, then streamed to the end.
  const int64_t next = CurrentSegment(ev.ast_us) + 1;
  const auto asked = steady_clock::now();
  net::Response held = Get(reads, Seg("270p", next));
  const auto waited = steady_clock::now() - asked;
  EXPECT_EQ(held.status, 200) << held.body.substr(0, 200);
  EXPECT_GT(waited, milliseconds(300)) << "answered before the segment existed?";
  ASSERT_EQ(a.Wait(60), 0) << ReadFile(dir + "/a.log");
  EXPECT_TRUE(held.body == ReadFile(dir + "/out-A/270p/" + std::to_string(next) + ".m4s"))
      << "the held read got " << held.body.size() << " bytes";
  // A later one: 404 until just when it becomes the next (AST + (n-1)·D).
  const int64_t now = SystemClock::Instance().Now();
  const int64_t later = (now - ev.ast_us) / kD + 5;
  net::Response r = Get(reads, Seg("270p", later));
  EXPECT_EQ(r.status, 404);
  const int64_t ms = std::atoll(Header(r, "X-Onair-Max-Age-Ms").c_str());
  const int64_t expect_ms = (ev.ast_us + (later - 1) * kD - now) / 1000;
  EXPECT_NEAR(static_cast<double>(ms), static_cast<double>(expect_ms), 300.0);
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=" + std::to_string(ms / 1000));
  // One never produced and past its deadline: 410. An unknown event: 404.
  const int64_t past = (now - ev.ast_us) / kD - 20;
  EXPECT_EQ(Get(reads, Seg("270p", past)).status, 410);
  EXPECT_EQ(Get(reads, "/live/nope/270p/1.m4s").status, 404);
  EXPECT_EQ(Get(reads, "/live/e2e/nope/1.m4s").status, 404);
  const std::string metrics = Get(origin.url(), "/metrics").body;
  EXPECT_GE(Metric(metrics, "onair_origin_holds_total"), 1) << metrics;
}

// Cross-publishing: a pipeline given two origins publishes everything to both, and each
// origin is complete on its own (either can serve the whole event if the other dies).
TEST(Origin, APipelinePublishesToEveryOriginAndEachIsComplete) {
  const std::string dir = TempDir("origin-cross");
  EventFile ev = WriteEvent(dir);
  OriginProcess first(dir, ev.path), second(dir, ev.path);
  ASSERT_GT(first.port(), 0) << first.log();
  ASSERT_GT(second.port(), 0) << second.log();
  std::vector<std::string> args = PublishingPipeline(dir, ev, first.url(), "A", 6);
  args.insert(args.end(), {"--publish", second.url()});
  Background a(args, dir + "/a.log");
  ASSERT_EQ(a.Wait(60), 0) << ReadFile(dir + "/a.log");
  for (const std::string r : {"270p", "136p", "audio"}) {
    const std::string init = ReadFile(dir + "/out-A/" + r + "/init.mp4");
    auto log = SegmentLog(dir + "/out-A", r);
    ASSERT_EQ(log.size(), 3u) << r;
    for (const OriginProcess* o : {&first, &second}) {
      EXPECT_TRUE(Get(o->url(), Seg(r, "init")).body == init) << r;
      for (const auto& seg : log) {
        const int64_t n = seg["number"];
        net::Response res = Get(o->url(), Seg(r, n));
        EXPECT_EQ(res.status, 200) << o->url() << " " << r << " " << n;
        EXPECT_TRUE(res.body == ReadFile(dir + "/out-A/" + r + "/" + std::to_string(n) + ".m4s"));
      }
    }
  }
}

// What nginx keeps, and for how long, from the origin's headers alone: complete segments and
// 410s for long, a "not yet" 404 until the segment is due and no longer, a streamed response
// cut by an aborted upload never.
TEST(OriginBehindNginx, CachesWhatItShouldAndNoLongerThanItShould) {
  const std::string dir = TempDir("origin-nginx");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  NginxCache nginx(dir + "/nginx", origin.port());
  ASSERT_GT(nginx.port(), 0) << nginx.error_log();
  Background a(PublishingPipeline(dir, ev, origin.url(), "A", 14), dir + "/a.log");
  ASSERT_TRUE(ListsSegments(origin.url(), "/live/e2e/270p/index.m3u8", 1))
      << ReadFile(dir + "/a.log");

  // A later segment: nginx keeps the 404 while it is not due...
  const int64_t later = CurrentSegment(ev.ast_us) + 3;
  const auto asked = steady_clock::now();
  net::Response first = Get(nginx.url(), Seg("270p", later));
  ASSERT_EQ(first.status, 404);
  EXPECT_EQ(Header(first, "X-Cache-Status"), "MISS");
  const int64_t ms = std::atoll(Header(first, "X-Onair-Max-Age-Ms").c_str());
  ASSERT_GE(ms, 2000);
  net::Response second = Get(nginx.url(), Seg("270p", later));
  EXPECT_EQ(second.status, 404);
  EXPECT_EQ(Header(second, "X-Cache-Status"), "HIT");
  // ...and no longer: once due (nginx counts whole seconds: at most 1 s more), the request
  // reaches the origin, which holds it until the segment is published.
  std::this_thread::sleep_until(asked + milliseconds(ms + 1100));
  net::Response due = Get(nginx.url(), Seg("270p", later));
  EXPECT_EQ(due.status, 200) << due.body.substr(0, 200);
  EXPECT_NE(Header(due, "X-Cache-Status"), "HIT");
  // A complete segment is kept: the next read is a hit with the same bytes.
  net::Response kept = Get(nginx.url(), Seg("270p", later));
  EXPECT_EQ(kept.status, 200);
  EXPECT_EQ(Header(kept, "X-Cache-Status"), "HIT");
  EXPECT_TRUE(kept.body == due.body);
  // A 410 is kept too (the segment will never exist).
  const int64_t past = CurrentSegment(ev.ast_us) - 20;
  EXPECT_EQ(Get(nginx.url(), Seg("270p", past)).status, 410);
  net::Response gone = Get(nginx.url(), Seg("270p", past));
  EXPECT_EQ(gone.status, 410);
  EXPECT_EQ(Header(gone, "X-Cache-Status"), "HIT");

  // An upload that dies half-way: the reader streaming it through nginx is cut, and nginx
  // keeps nothing of it.
  const int64_t far = CurrentSegment(ev.ast_us) + 30;
  RawSocket writer(origin.port());
  ASSERT_TRUE(writer.Send(UploadHead(Seg("270p", far), "B") + Chunk(std::string(1000, 'x'))));
  // The reader asks once the origin has the upload (else nginx would keep the "not yet" 404).
  ASSERT_TRUE(UploadBegun(origin.port(), Seg("270p", far)));
  RawSocket reader(nginx.port());
  ASSERT_TRUE(reader.Send("GET " + Seg("270p", far) + " HTTP/1.1\r\nHost: n\r\n\r\n"));
  const std::string head = reader.ReadUntil(std::string(100, 'x'), milliseconds(5000));
  EXPECT_NE(head.find("200 OK"), std::string::npos) << head.substr(0, 300);
  writer.Close();
  const std::string rest = head + reader.ReadUntilClosed(milliseconds(8000));
  EXPECT_EQ(rest.find("\r\n0\r\n\r\n"), std::string::npos) << "a cut response must not end well";
  net::Response after = Get(nginx.url(), Seg("270p", far));
  EXPECT_EQ(after.status, 404);
  EXPECT_NE(Header(after, "X-Cache-Status"), "HIT");
  ASSERT_EQ(a.Wait(60), 0) << ReadFile(dir + "/a.log");
}

// A restart loses no acknowledged segment that reached disk: the new process serves the same
// bytes with the same ETag, and keeps the operator's levers. Damaged leftovers are ignored.
TEST(Origin, ARestartServesEverythingThatReachedDisk) {
  const std::string dir = TempDir("origin-restart");
  EventFile ev = WriteEvent(dir);
  auto log = MakeSegments(dir, ev);
  ASSERT_EQ(log.size(), 3u);
  const std::string data = dir + "/data";
  const std::string init = ReadFile(dir + "/made/270p/init.mp4");
  std::vector<std::string> etags;
  {
    OriginProcess origin(dir, ev.path, {"--data-dir", data});
    ASSERT_GT(origin.port(), 0) << origin.log();
    ASSERT_EQ(Put(origin.url(), "B", Seg("270p", "init"), init), 201);
    for (const auto& seg : log) {
      const int64_t n = seg["number"];
      ASSERT_EQ(Put(origin.url(), "B", Seg("270p", n),
                    ReadFile(dir + "/made/270p/" + std::to_string(n) + ".m4s")),
                201);
      etags.push_back(Header(Get(origin.url(), Seg("270p", n)), "ETag"));
    }
    auto url = net::ParseUrl(origin.url());
    net::HttpConnection admin(*url);
    auto r = admin.Send("POST", "/admin/events/e2e/pipelines", {{"Authorization", "Bearer at"}},
                        R"({"prefer": "B"})", milliseconds(5000));
    ASSERT_TRUE(r.ok() && r->status == 200);
    origin.process().Signal(SIGTERM);
    ASSERT_EQ(origin.process().Wait(20), 0) << origin.log();
  }
  // Leftovers of a crash mid-write: a file without its .json, a .json of the wrong size.
  WriteFile(data + "/e2e/270p/999999.A.m4s", "partial");
  WriteFile(data + "/e2e/270p/999998.A.m4s", "short");
  WriteFile(data + "/e2e/270p/999998.A.m4s.json", R"({"size": 4096})");
  OriginProcess again(dir, ev.path, {"--data-dir", data});
  ASSERT_GT(again.port(), 0) << again.log();
  EXPECT_NE(again.log().find("(1 unusable)"), std::string::npos) << again.log();
  EXPECT_TRUE(Get(again.url(), Seg("270p", "init")).body == init);
  for (size_t k = 0; k < log.size(); ++k) {
    const int64_t n = log[k]["number"];
    net::Response res = Get(again.url(), Seg("270p", n));
    ASSERT_EQ(res.status, 200) << n;
    EXPECT_TRUE(res.body == ReadFile(dir + "/made/270p/" + std::to_string(n) + ".m4s"));
    EXPECT_EQ(Header(res, "ETag"), etags[k]);
  }
  auto url = net::ParseUrl(again.url());
  net::HttpConnection admin(*url);
  auto state = admin.Send("GET", "/admin/events/e2e", {{"Authorization", "Bearer at"}}, "",
                          milliseconds(5000));
  ASSERT_TRUE(state.ok());
  EXPECT_NE(state->body.find(R"("preferred": "B")"), std::string::npos) << state->body;
}

}  // namespace
}  // namespace onair::test
