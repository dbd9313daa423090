// The origin end to end: the real `onair origin` fed by real pipelines A and B over HTTP,
// read over HTTP by our client and by ffmpeg.
#include <gtest/gtest.h>

#include <strings.h>
#include <chrono>

#include <csignal>
#include <thread>

#include "core/clock.h"
#include "e2e/pipeline_helpers.h"
#include "net/http_client.h"

namespace onair::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

constexpr int64_t kD = 2'000'000;

// An event whose AST is a whole minute before now, so that segment numbers stay small.
struct EventFile {
  std::string path;
  int64_t ast_us;
};

EventFile WriteEvent(const std::string& dir, const std::string& extra = "") {
  const int64_t now = SystemClock::Instance().Now();
  const int64_t ast = (now / 60'000'000 - 1) * 60'000'000;
  std::string ladder = SmallLadder();
  const std::string old_ast = R"("ast": "2026-01-01T00:00:00Z")";
  ladder.replace(ladder.find(old_ast), old_ast.size(),
                 R"("ast": ")" + FormatUtc(ast) + R"(", "window": 30)" + extra);
  WriteFile(dir + "/event.json", ladder);
  return {dir + "/event.json", ast};
}

int64_t CurrentSegment(int64_t ast) { return (SystemClock::Instance().Now() - ast) / kD; }

// `onair origin` on a port of the OS's choosing.
class OriginProcess {
 public:
  OriginProcess(const std::string& dir, const std::string& event_file,
                std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {OnairBinary(),   "origin",   "--host",           "127.0.0.1",
                                     "--port",        "0",        "--threads",        "2",
                                     "--event",       event_file, "--pipeline-token", "pt",
                                     "--admin-token", "at"};
    args.insert(args.end(), extra.begin(), extra.end());
    static int started = 0;  // a log of its own: never read an earlier process's port
    log_ = dir + "/origin-" + std::to_string(++started) + ".log";
    proc_ = std::make_unique<Background>(args, log_);
    const auto until = steady_clock::now() + seconds(20);
    while (steady_clock::now() < until && port_ == 0) {
      const std::string text = ReadFile(log_);
      const std::string marker = "listening on http://127.0.0.1:";
      const size_t at = text.find(marker);
      if (at != std::string::npos) port_ = std::atoi(text.c_str() + at + marker.size());
      std::this_thread::sleep_for(milliseconds(20));
    }
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return ReadFile(log_); }
  Background& process() { return *proc_; }

 private:
  std::string log_;
  std::unique_ptr<Background> proc_;
  int port_ = 0;
};

net::Response Get(const std::string& base, const std::string& target, net::Headers h = {}) {
  auto url = net::ParseUrl(base);
  net::HttpConnection c(*url);
  auto r = c.Send("GET", target, h, "", milliseconds(10'000));
  if (!r.ok()) return {-1, {}, r.status().ToString()};
  return *r;
}

std::string Header(const net::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

// The URL path of segment n of a rendition of the test event ("init" for its init segment).
std::string Seg(const std::string& rendition, const std::string& n) {
  return "/live/e2e/" + rendition + "/" + (n == "init" ? "init.mp4" : n + ".m4s");
}
std::string Seg(const std::string& rendition, int64_t n) {
  return Seg(rendition, std::to_string(n));
}

// An upload as a pipeline makes it; the HTTP status, or -1 if the request failed.
int Put(const std::string& base, const std::string& who, const std::string& target,
        const std::string& body, const std::string& defects = "") {
  auto url = net::ParseUrl(base);
  net::HttpConnection c(*url);
  net::Headers h = {{"Authorization", "Bearer pt"}, {"X-Onair-Pipeline", who}};
  if (!defects.empty()) h.emplace_back("X-Onair-Defects", defects);
  auto r = c.Send("PUT", target, h, body, milliseconds(5000));
  return r.ok() ? r->status : -1;
}

// Real segments to upload by hand: a short pipeline run writing to dir/made.
std::vector<nlohmann::json> MakeSegments(const std::string& dir, const EventFile& ev) {
  CommandResult made = RunCommand({OnairBinary(), "pipeline", "--ladder", ev.path, "--source",
                                   "test:480x270@30", "--out", dir + "/made", "--duration", "6"},
                                  60);
  EXPECT_EQ(made.exit_code, 0) << made.err;
  return SegmentLog(dir + "/made", "270p");
}

int64_t Metric(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::atoll(text.c_str() + at + series.size() + 2);
}

std::vector<std::string> PipelineRun(const std::string& dir, const EventFile& ev,
                                     const std::string& origin, const std::string& id,
                                     double seconds) {
  return {OnairBinary(), "pipeline",
          "--ladder",    ev.path,
          "--source",    "test:480x270@30",
          "--publish",   origin,
          "--token",     "pt",
          "--pipeline",  id,
          "--out",       dir + "/out-" + id,
          "--duration",  std::to_string(seconds)};
}

TEST(Origin, PipelinesAAndBPublishAndEveryNumberIsServedAndPlays) {
  const std::string dir = TempDir("origin-ab");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  Background a(PipelineRun(dir, ev, origin.url(), "A", 8), dir + "/a.log");
  Background b(PipelineRun(dir, ev, origin.url(), "B", 8), dir + "/b.log");
  // A real player while the event is live: ffmpeg reads the origin's HLS playlist.
  std::this_thread::sleep_for(seconds(5));
  CommandResult play =
      RunCommand({"ffmpeg", "-v", "error", "-i", origin.url() + "/live/e2e/270p/index.m3u8", "-t",
                  "2", "-f", "null", "-"},
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
      net::Response res = Get(origin.url(), Seg(r, n));
      ASSERT_EQ(res.status, 200) << r << " " << n << " " << res.body.substr(0, 200);
      EXPECT_EQ(Header(res, "X-Onair-Pipeline"), "A");
      EXPECT_TRUE(res.body == ReadFile(dir + "/out-A/" + r + "/" + std::to_string(n) + ".m4s"))
          << "served bytes differ from A's segment " << n;
      EXPECT_NE(Header(res, "ETag"), "");
      EXPECT_NE(Header(res, "Last-Modified"), "");
      // A standard cache revalidates with the ETag.
      net::Response again = Get(origin.url(), Seg(r, n), {{"If-None-Match", Header(res, "ETag")}});
      EXPECT_EQ(again.status, 304);
    }
  }
  const std::string metrics = Get(origin.url(), "/metrics").body;
  EXPECT_EQ(Metric(metrics, "onair_origin_writes_total{result=\"ok\"}"), 2 * (3 + 12)) << metrics;
}

TEST(Origin, KillingPipelineALosesNoSegmentNumber) {
  const std::string dir = TempDir("origin-kill");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  Background a(PipelineRun(dir, ev, origin.url(), "A", 12), dir + "/a.log");
  Background b(PipelineRun(dir, ev, origin.url(), "B", 12), dir + "/b.log");
  std::this_thread::sleep_for(seconds(6));
  a.Signal(SIGKILL);
  ASSERT_EQ(b.Wait(60), 0) << ReadFile(dir + "/b.log");
  auto log = SegmentLog(dir + "/out-B", "270p");
  ASSERT_EQ(log.size(), 6u);
  int from_b = 0;
  for (const auto& seg : log) {
    const int64_t n = seg["number"];
    net::Response res = Get(origin.url(), Seg("270p", n));
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

TEST(Origin, ACorruptOrFlaggedCandidateGivesWayToTheOther) {
  const std::string dir = TempDir("origin-pick");
  EventFile ev = WriteEvent(dir);
  auto log = MakeSegments(dir, ev);
  ASSERT_EQ(log.size(), 3u);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
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
  net::Response r0 = Get(origin.url(), Seg("270p", n0));
  EXPECT_EQ(r0.status, 200);
  EXPECT_EQ(Header(r0, "X-Onair-Pipeline"), "B");
  EXPECT_TRUE(r0.body == good0);
  // n1: A flagged black by its pipeline, B clean.
  EXPECT_EQ(put("A", Seg("270p", n1), good1, "black"), 201);
  EXPECT_EQ(put("B", Seg("270p", n1), good1, ""), 201);
  EXPECT_EQ(Header(Get(origin.url(), Seg("270p", n1)), "X-Onair-Pipeline"), "B");
  // n2: both flagged: the less damaged one, with its defects downstream.
  EXPECT_EQ(put("A", Seg("270p", n2), good2, "no-input,black"), 201);
  EXPECT_EQ(put("B", Seg("270p", n2), good2, "frozen"), 201);
  net::Response r2 = Get(origin.url(), Seg("270p", n2));
  EXPECT_EQ(Header(r2, "X-Onair-Pipeline"), "B");
  EXPECT_EQ(Header(r2, "X-Onair-Defects"), "frozen");
  // Another segment's media under this number is caught too.
  EXPECT_EQ(put("A", Seg("270p", n0), good1, ""), 201);
  EXPECT_EQ(Header(Get(origin.url(), Seg("270p", n0)), "X-Onair-Pipeline"), "B");
}

TEST(Origin, HoldsTheNextSegmentAndDatesTheLaterOnes) {
  const std::string dir = TempDir("origin-timing");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  Background a(PipelineRun(dir, ev, origin.url(), "A", 10), dir + "/a.log");
  std::this_thread::sleep_for(seconds(3));
  // The next segment: held until its first chunk lands, then streamed to the end.
  const int64_t next = CurrentSegment(ev.ast_us) + 1;
  const auto asked = steady_clock::now();
  net::Response held = Get(origin.url(), Seg("270p", next));
  const auto waited = steady_clock::now() - asked;
  EXPECT_EQ(held.status, 200) << held.body.substr(0, 200);
  EXPECT_GT(waited, milliseconds(300)) << "answered before the segment existed?";
  ASSERT_EQ(a.Wait(60), 0) << ReadFile(dir + "/a.log");
  EXPECT_TRUE(held.body == ReadFile(dir + "/out-A/270p/" + std::to_string(next) + ".m4s"))
      << "the held read got " << held.body.size() << " bytes";
  // A later one: 404 until just when it becomes the next (AST + (n-1)·D).
  const int64_t now = SystemClock::Instance().Now();
  const int64_t later = (now - ev.ast_us) / kD + 5;
  net::Response r = Get(origin.url(), Seg("270p", later));
  EXPECT_EQ(r.status, 404);
  const int64_t ms = std::atoll(Header(r, "X-Onair-Max-Age-Ms").c_str());
  const int64_t expect_ms = (ev.ast_us + (later - 1) * kD - now) / 1000;
  EXPECT_NEAR(static_cast<double>(ms), static_cast<double>(expect_ms), 300.0);
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=" + std::to_string(ms / 1000));
  // One never produced and past its deadline: 410. An unknown event: 404.
  const int64_t past = (now - ev.ast_us) / kD - 20;
  EXPECT_EQ(Get(origin.url(), Seg("270p", past)).status, 410);
  EXPECT_EQ(Get(origin.url(), "/live/nope/270p/1.m4s").status, 404);
  EXPECT_EQ(Get(origin.url(), "/live/e2e/nope/1.m4s").status, 404);
  const std::string metrics = Get(origin.url(), "/metrics").body;
  EXPECT_GE(Metric(metrics, "onair_origin_holds_total"), 1) << metrics;
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
