// The edge end to end: the real `onair edge` in front of real origins, read by raw sockets,
// our client and ffmpeg.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <functional>

#include "e2e/origin_helpers.h"
#include "support/raw_socket.h"

namespace onair::test {
namespace {

int64_t EdgeRequests(const std::string& edge) {
  const std::string m = Get(edge, "/metrics").body;
  return Metric(m, "onair_edge_requests_total{cache=\"miss\"}") +
         Metric(m, "onair_edge_requests_total{cache=\"collapsed\"}") +
         Metric(m, "onair_edge_requests_total{cache=\"hit\"}");
}

int64_t OriginReads(const std::string& origin) {
  const std::string m = Get(origin, "/metrics").body;
  int64_t sum = 0;
  for (const char* code : {"200", "304", "404", "410", "503"}) {
    for (const char* kind : {"live", "dvr"}) {
      sum += Metric(
          m, std::string("onair_origin_reads_total{code=\"") + code + "\",kind=\"" + kind + "\"}");
    }
  }
  return sum;
}

// Asks the edge for what `target()` names until the edge answers it itself (it has learnt
// the event's timing, or that the event does not exist); false if it never does.
bool AnsweredByEdge(const std::string& edge, const std::function<std::string()>& target) {
  for (int k = 0; k < 100; ++k) {
    if (Header(Get(edge, target()), "X-Onair-Cache") == "edge") return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

// The live-edge stampede: a thousand viewers ask for a segment that is still arriving at the
// origin. The origin sees one request; every viewer gets the first chunk before the rest
// exists, and the same, whole bytes in the end.
TEST(Edge, AThousandViewersOfASegmentInProgressMakeOneUpstreamRequest) {
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  ASSERT_GE(files.rlim_cur, 2200u) << "this test needs 2 200 descriptors";
  const std::string dir = TempDir("edge-stampede");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  // No prefetch: a slow run crosses into the target's own period, where the viewers' reads
  // start the fill of the segment after it, another object with its own upstream read
  // (CI saw it). Prefetch has its own test below.
  EdgeProcess edge(dir, {origin.url()}, {"--no-prefetch"});
  ASSERT_GT(edge.port(), 0) << edge.log();
  const std::string target = Seg("270p", CurrentSegment(ev.ast_us) + 1);  // being written
  const std::string first(200'000, 'a'), second(300'000, 'b');
  RawSocket writer(origin.port());
  ASSERT_TRUE(writer.Send(UploadHead(target) + Chunk(first)));
  ASSERT_TRUE(UploadBegun(origin.port(), target));
  const int64_t reads_before = OriginReads(origin.url());

  constexpr int kViewers = 1000;
  std::vector<std::unique_ptr<RawSocket>> viewers;
  for (int k = 0; k < kViewers; ++k) {
    viewers.push_back(std::make_unique<RawSocket>(edge.port()));
    ASSERT_TRUE(viewers.back()->connected()) << k;
    ASSERT_TRUE(viewers.back()->Send("GET " + target +
                                     " HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n"));
  }
  // Every request has reached the edge before the rest of the segment is written.
  for (int k = 0; k < 200 && EdgeRequests(edge.url()) < kViewers; ++k) {
    std::this_thread::sleep_for(milliseconds(25));
  }
  ASSERT_EQ(EdgeRequests(edge.url()), kViewers);
  // Streamed, not stored and forwarded: every viewer has bytes of the first chunk while the
  // rest of the segment does not exist yet.
  const std::string streamed(4096, 'a');
  std::vector<std::string> received;
  int early = 0;
  for (auto& v : viewers) {
    received.push_back(v->ReadUntil(streamed, milliseconds(10'000)));
    if (received.back().find(streamed) != std::string::npos) early++;
  }
  EXPECT_EQ(early, kViewers);
  ASSERT_TRUE(writer.Send(Chunk(second) + kLastChunk));
  int whole = 0;
  for (size_t k = 0; k < viewers.size(); ++k) {
    RawResponse r = ParseResponse(received[k] + viewers[k]->ReadUntilClosed(milliseconds(10'000)));
    EXPECT_EQ(r.status, 200);
    if (r.complete && r.body == first + second) whole++;
  }
  EXPECT_EQ(whole, kViewers);
  EXPECT_EQ(OriginReads(origin.url()) - reads_before, 1) << "the origin saw more than one fill";
  const std::string m = Get(edge.url(), "/metrics").body;
  EXPECT_EQ(Metric(m, "onair_edge_requests_total{cache=\"miss\"}"), 1) << m;
  // One fill for the segment, one for the event's timing (event.json).
  EXPECT_EQ(Metric(m, "onair_edge_fills_total{result=\"ok\"}"), 2);
  // Now complete and cached: the next viewer is a hit, with a length.
  net::Response again = Get(edge.url(), target);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(Header(again, "X-Onair-Cache"), "hit");
  EXPECT_TRUE(again.body == first + second);
}

// Tiers: two edges whose upstream is a parent edge. Viewers on both ask for a segment in
// progress: each child fills once from the parent, the parent once from the origin.
TEST(Edge, ChildEdgesFillFromTheirParentAndTheOriginSeesOneRequest) {
  const std::string dir = TempDir("edge-tiers");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  EdgeProcess parent(dir, {origin.url()}, {"--no-prefetch"});  // as in the stampede above
  ASSERT_GT(parent.port(), 0) << parent.log();
  EdgeProcess child1(dir, {parent.url()}, {"--no-prefetch"}),
      child2(dir, {parent.url()}, {"--no-prefetch"});
  ASSERT_GT(child1.port(), 0) << child1.log();
  ASSERT_GT(child2.port(), 0) << child2.log();
  const std::string target = Seg("270p", CurrentSegment(ev.ast_us) + 1);
  const std::string first(100'000, 'a'), second(100'000, 'b');
  RawSocket writer(origin.port());
  ASSERT_TRUE(writer.Send(UploadHead(target) + Chunk(first)));
  ASSERT_TRUE(UploadBegun(origin.port(), target));
  const int64_t reads_before = OriginReads(origin.url());
  std::vector<std::unique_ptr<RawSocket>> viewers;
  for (const EdgeProcess* child : {&child1, &child2}) {
    for (int k = 0; k < 50; ++k) {
      viewers.push_back(std::make_unique<RawSocket>(child->port()));
      ASSERT_TRUE(viewers.back()->Send("GET " + target +
                                       " HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n"));
    }
  }
  for (int k = 0; k < 200 && (EdgeRequests(child1.url()) < 50 || EdgeRequests(child2.url()) < 50);
       ++k) {
    std::this_thread::sleep_for(milliseconds(25));
  }
  ASSERT_TRUE(writer.Send(Chunk(second) + kLastChunk));
  int whole = 0;
  for (auto& v : viewers) {
    RawResponse r = ParseResponse(v->ReadUntilClosed(milliseconds(10'000)));
    if (r.status == 200 && r.complete && r.body == first + second) whole++;
  }
  EXPECT_EQ(whole, 100);
  EXPECT_EQ(OriginReads(origin.url()) - reads_before, 1);
  const std::string p = Get(parent.url(), "/metrics").body;
  // The parent: one fill for the segment and one for the event's timing; from each child,
  // one request for each.
  EXPECT_EQ(Metric(p, "onair_edge_fills_total{result=\"ok\"}"), 2) << p;
  EXPECT_EQ(EdgeRequests(parent.url()), 4) << "one fill of each object from each child";
}

// The origin's answers, kept for exactly as long as it said. (A generous clock skew makes
// the edge ask the origin about segments it would otherwise refuse itself, see below.)
TEST(Edge, FollowsTheOriginsLifetimes) {
  const std::string dir = TempDir("edge-answers");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  EdgeProcess edge(dir, {origin.url()},
                   {"--request-log", dir + "/access.log", "--clock-skew-ms", "10000"});
  ASSERT_GT(edge.port(), 0) << edge.log();
  // A "not yet" 404: kept to the millisecond, the lifetime left counted down.
  const std::string later = Seg("270p", CurrentSegment(ev.ast_us) + 3);
  net::Response first = Get(edge.url(), later);
  // The edge had the answer before we did: its copy expires by `answered` + the lifetime.
  const auto answered = steady_clock::now();
  ASSERT_EQ(first.status, 404);
  EXPECT_EQ(Header(first, "X-Onair-Cache"), "miss");
  const int64_t ms = std::atoll(Header(first, "X-Onair-Max-Age-Ms").c_str());
  ASSERT_GT(ms, 1500);
  std::this_thread::sleep_for(milliseconds(300));
  net::Response kept = Get(edge.url(), later);
  EXPECT_EQ(kept.status, 404);
  EXPECT_EQ(Header(kept, "X-Onair-Cache"), "hit");
  EXPECT_LE(std::atoll(Header(kept, "X-Onair-Max-Age-Ms").c_str()), ms - 250);
  // Made-up queries are the same object (only the origin's ?v= makes another).
  EXPECT_EQ(Header(Get(edge.url(), later + "?nocache=42"), "X-Onair-Cache"), "hit");
  EXPECT_EQ(Header(Get(edge.url(), later + "?v=3"), "X-Onair-Cache"), "miss");
  EXPECT_EQ(Header(kept, "Cache-Control"),
            "public, max-age=" +
                std::to_string(std::atoll(Header(kept, "X-Onair-Max-Age-Ms").c_str()) / 1000));
  std::this_thread::sleep_until(answered + milliseconds(ms + 50));
  net::Response due = Get(edge.url(), later);      // the origin holds it now: no pipeline, so
  EXPECT_NE(Header(due, "X-Onair-Cache"), "hit");  // it answers 404 no-cache after the hold
  // A 410 is kept; a held request for the next segment is collapsed, not kept as a 404.
  const std::string past = Seg("270p", CurrentSegment(ev.ast_us) - 20);
  EXPECT_EQ(Get(edge.url(), past).status, 410);
  net::Response gone = Get(edge.url(), past);
  EXPECT_EQ(gone.status, 410);
  EXPECT_EQ(Header(gone, "X-Onair-Cache"), "hit");
  EXPECT_EQ(Get(edge.url(), "/live/nope/270p/1.m4s").status, 404);
  EXPECT_EQ(Get(edge.url(), "/elsewhere").status, 404);
  // The request log: a line per object request (docs/service.md), complete once the edge
  // stops.
  edge.process().Signal(SIGTERM);
  ASSERT_EQ(edge.process().Wait(20), 0) << edge.log();
  const std::string log = ReadFile(dir + "/access.log");
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 9) << log;
  EXPECT_NE(
      log.find(R"("client":"127.0.0.1","method":"GET","target":")" + later + R"(","status":404)"),
      std::string::npos)
      << log;
  EXPECT_NE(log.find(R"("status":410)"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("cache":"hit")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("service":"edge")"), std::string::npos) << log;
}

// Once the edge has the event's timing (the origin's event.json), it answers by itself what
// the origin would refuse: segments later than the next one, with the origin's lifetime;
// renditions and events that do not exist. None of it reaches the origin.
TEST(Edge, RefusesByItselfWhatCannotExistYet) {
  const std::string dir = TempDir("edge-refusals");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  EdgeProcess edge(dir, {origin.url()});
  ASSERT_GT(edge.port(), 0) << edge.log();
  const net::Response timing = Get(edge.url(), "/live/e2e/event.json");
  ASSERT_EQ(timing.status, 200) << timing.body;
  EXPECT_NE(timing.body.find("\"segment_duration\":2.0"), std::string::npos) << timing.body;
  // The first reads go upstream while the edge learns the timing; soon it answers itself.
  auto far = [&](int64_t ahead) { return Seg("270p", CurrentSegment(ev.ast_us) + ahead); };
  ASSERT_TRUE(AnsweredByEdge(edge.url(), [&] { return far(20); }));
  const int64_t reads_before = OriginReads(origin.url());
  const int64_t now = SystemClock::Instance().Now();
  const int64_t n = (now - ev.ast_us) / kD + 20;
  net::Response later = Get(edge.url(), Seg("270p", n));
  EXPECT_EQ(later.status, 404);
  EXPECT_EQ(Header(later, "X-Onair-Cache"), "edge");
  const int64_t ms = std::atoll(Header(later, "X-Onair-Max-Age-Ms").c_str());
  const int64_t expect_ms = (ev.ast_us + (n - 1) * kD - 500'000 - now) / 1000;  // less the skew
  EXPECT_NEAR(static_cast<double>(ms), static_cast<double>(expect_ms), 300.0);
  EXPECT_EQ(Header(later, "Cache-Control"), "public, max-age=" + std::to_string(ms / 1000));
  // A player asking far ahead, made-up renditions, paths outside the URL space.
  for (int k = 0; k < 100; ++k) EXPECT_EQ(Get(edge.url(), far(3 + k * 1000)).status, 404);
  net::Response rendition = Get(edge.url(), "/live/e2e/4k/init.mp4");
  EXPECT_EQ(rendition.status, 404);
  EXPECT_EQ(Header(rendition, "X-Onair-Cache"), "edge");
  EXPECT_EQ(Header(Get(edge.url(), "/live/e2e/270p/x.m4s"), "X-Onair-Cache"), "edge");
  // An event the origin does not have: after it says so once, the edge answers for it.
  const std::string nope = "/live/nope/270p/";
  ASSERT_TRUE(AnsweredByEdge(edge.url(), [&] { return nope + "1.m4s"; }));
  const int64_t reads_nope = OriginReads(origin.url());
  for (int k = 0; k < 50; ++k) {
    net::Response r = Get(edge.url(), nope + std::to_string(k) + ".m4s");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(Header(r, "X-Onair-Event"), "none");
  }
  EXPECT_EQ(OriginReads(origin.url()), reads_nope) << "made-up event names reached the origin";
  // What may exist still goes upstream: a past segment (410 from the origin).
  net::Response past = Get(edge.url(), far(-20));
  EXPECT_EQ(past.status, 410);
  EXPECT_EQ(Header(past, "X-Onair-Cache"), "miss");
  const std::string m = Get(edge.url(), "/metrics").body;
  EXPECT_GE(Metric(m, "onair_edge_refused_total{reason=\"not-yet\"}"), 101) << m;
  EXPECT_EQ(Metric(m, "onair_edge_refused_total{reason=\"no-rendition\"}"), 1) << m;
  EXPECT_EQ(OriginReads(origin.url()) - reads_before, 2)  // the 410, and nope's first read
      << "the origin saw reads the edge should have answered";
}

// A rendition watched at the live edge: the edge starts the fill of the next segment before
// it starts, so the first viewer to ask for it joins a fill already under way and has the
// first chunk at once; the origin still sees one read.
TEST(Edge, PrefetchesTheNextSegmentOfAWatchedRendition) {
  const std::string dir = TempDir("edge-prefetch");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  EdgeProcess edge(dir, {origin.url()});
  ASSERT_GT(edge.port(), 0) << edge.log();
  ASSERT_TRUE(
      AnsweredByEdge(edge.url(), [&] { return Seg("270p", CurrentSegment(ev.ast_us) + 20); }));
  // A viewer at the live edge (the segment before the current one), early in a segment.
  int64_t current = CurrentSegment(ev.ast_us);
  while (SystemClock::Instance().Now() > ev.ast_us + current * kD + kD / 2) {
    std::this_thread::sleep_for(milliseconds(50));
    current = CurrentSegment(ev.ast_us);
  }
  ASSERT_EQ(Put(origin.url(), "A", Seg("270p", current - 1), "segment"), 201);
  EXPECT_EQ(Get(edge.url(), Seg("270p", current - 1)).status, 200);
  // The next segment is written as a pipeline writes it, from its start.
  const int64_t next = current + 1;
  std::this_thread::sleep_for(
      std::chrono::microseconds(ev.ast_us + next * kD - SystemClock::Instance().Now()));
  const std::string first(100'000, 'a'), second(100'000, 'b');
  RawSocket writer(origin.port());
  ASSERT_TRUE(writer.Send(UploadHead(Seg("270p", next)) + Chunk(first)));
  ASSERT_TRUE(UploadBegun(origin.port(), Seg("270p", next)));
  std::this_thread::sleep_for(milliseconds(200));
  const int64_t reads = OriginReads(origin.url());
  RawSocket viewer(edge.port());
  ASSERT_TRUE(viewer.Send("GET " + Seg("270p", next) + " HTTP/1.1\r\nHost: e\r\n\r\n"));
  std::string got = viewer.ReadUntil("\r\n\r\n", milliseconds(2000));
  EXPECT_EQ(ParseResponse(got).status, 200);
  EXPECT_NE(got.find("X-Onair-Cache: collapsed"), std::string::npos)
      << "the fill had not started: " << got.substr(0, got.find("\r\n\r\n"));
  ASSERT_TRUE(writer.Send(Chunk(second) + kLastChunk));
  got += viewer.ReadUntil("\r\n0\r\n\r\n", milliseconds(5000));
  const RawResponse whole = ParseResponse(got);
  EXPECT_TRUE(whole.complete && whole.body == first + second);
  EXPECT_EQ(OriginReads(origin.url()), reads) << "the viewer's read reached the origin";
  EXPECT_GE(Metric(Get(edge.url(), "/metrics").body, "onair_edge_prefetches_total"), 1);
}

// ffmpeg plays through the edge; with two origins (the pipeline publishes to both), the
// first one killed mid-event: the edge fails over and no segment number goes missing.
TEST(Edge, PlaysThroughTheEdgeAndKillingAnOriginLosesNothing) {
  const std::string dir = TempDir("edge-failover");
  EventFile ev = WriteEvent(dir);
  OriginProcess first(dir, ev.path), second(dir, ev.path);
  ASSERT_GT(first.port(), 0) << first.log();
  ASSERT_GT(second.port(), 0) << second.log();
  EdgeProcess edge(dir, {first.url(), second.url()});
  ASSERT_GT(edge.port(), 0) << edge.log();
  std::vector<std::string> args = PublishingPipeline(dir, ev, first.url(), "A", 12);
  args.insert(args.end(), {"--publish", second.url()});
  Background a(args, dir + "/a.log");
  // A viewer across the kill, once the playlist lists two segments.
  const std::string playlist = "/live/e2e/270p/index.m3u8";
  ASSERT_TRUE(ListsSegments(edge.url(), playlist, 2)) << ReadFile(dir + "/a.log");
  Background player(
      {"ffmpeg", "-v", "error", "-i", edge.url() + playlist, "-t", "6", "-f", "null", "-"},
      dir + "/ffmpeg.log");
  std::this_thread::sleep_for(seconds(3));
  first.process().Signal(SIGKILL);
  EXPECT_EQ(player.Wait(60), 0) << ReadFile(dir + "/ffmpeg.log");
  EXPECT_EQ(ReadFile(dir + "/ffmpeg.log"), "");
  ASSERT_EQ(a.Wait(60), 0) << ReadFile(dir + "/a.log");
  for (const std::string r : {"270p", "136p", "audio"}) {
    auto log = SegmentLog(dir + "/out-A", r);
    ASSERT_EQ(log.size(), 6u) << r;
    for (const auto& seg : log) {
      const int64_t n = seg["number"];
      net::Response res = Get(edge.url(), Seg(r, n));
      EXPECT_EQ(res.status, 200) << r << " " << n;
      EXPECT_TRUE(res.body == ReadFile(dir + "/out-A/" + r + "/" + std::to_string(n) + ".m4s"))
          << r << " " << n;
    }
  }
  const std::string m = Get(edge.url(), "/metrics").body;
  EXPECT_EQ(Metric(m, "onair_edge_upstreams_healthy"), 1) << m;
}

// A cache of 256 KiB in front of a three-rendition event: a viewer reading every rendition's
// playlist and segments for the whole run always gets them, and the cache never holds more
// than its budget.
TEST(Edge, EvictionKeepsTheCacheInsideItsBudget) {
  const std::string dir = TempDir("edge-evict");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  EdgeProcess edge(dir, {origin.url()}, {"--cache-mb", "0.25"});
  ASSERT_GT(edge.port(), 0) << edge.log();
  Background a(PublishingPipeline(dir, ev, origin.url(), "A", 12), dir + "/a.log");
  int served = 0, failed = 0;
  std::string first_failure;
  int64_t most = 0;
  while (a.Wait(0) == -1) {
    for (const std::string r : {"270p", "136p", "audio"}) {
      net::Response playlist = Get(edge.url(), "/live/e2e/" + r + "/index.m3u8");
      if (playlist.status != 200) continue;
      size_t at = 0;
      while ((at = playlist.body.find(".m4s", at)) != std::string::npos) {
        const size_t start = playlist.body.rfind('\n', at) + 1;
        const std::string target =
            "/live/e2e/" + r + "/" + playlist.body.substr(start, at + 4 - start);
        net::Response seg = Get(edge.url(), target);
        (seg.status == 200 ? served : failed)++;
        if (seg.status != 200 && first_failure.empty()) {
          first_failure =
              target + ": " + std::to_string(seg.status) + " " + seg.body.substr(0, 200);
        }
        at += 4;
      }
    }
    most = std::max(most, Metric(Get(edge.url(), "/metrics").body, "onair_edge_cache_bytes"));
    std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_EQ(a.Wait(0), 0) << ReadFile(dir + "/a.log");
  EXPECT_GT(served, 30);
  EXPECT_EQ(failed, 0) << first_failure;
  EXPECT_LE(most, 256 * 1024);
  const std::string m = Get(edge.url(), "/metrics").body;
  EXPECT_GT(Metric(m, "onair_edge_evictions"), 0) << m;
  EXPECT_LE(Metric(m, "onair_edge_cache_bytes"), 256 * 1024);
}

// stale-if-error for init segments: with the init evicted (a 1 KiB cache) and the origin
// gone, viewers still get the last good init segment; a media segment gets 502.
TEST(Edge, ServesTheLastGoodInitSegmentWhenTheOriginIsGone) {
  const std::string dir = TempDir("edge-stale");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  const std::string init(5000, 'i');
  ASSERT_EQ(Put(origin.url(), "A", Seg("270p", "init"), init), 201);
  EdgeProcess edge(dir, {origin.url()}, {"--cache-mb", "0.001"});
  ASSERT_GT(edge.port(), 0) << edge.log();
  EXPECT_TRUE(Get(edge.url(), Seg("270p", "init")).body == init);
  EXPECT_EQ(Header(Get(edge.url(), Seg("270p", "init")), "X-Onair-Cache"), "miss");  // evicted
  origin.process().Signal(SIGKILL);
  origin.process().Wait(10);
  net::Response stale = Get(edge.url(), Seg("270p", "init"));
  EXPECT_EQ(stale.status, 200);
  EXPECT_TRUE(stale.body == init);
  EXPECT_EQ(Get(edge.url(), Seg("270p", CurrentSegment(ev.ast_us))).status, 502);
  EXPECT_GE(Metric(Get(edge.url(), "/metrics").body, "onair_edge_stale_served_total"), 1);
}

// Draining: the operator's lever (POST/DELETE /admin/drain with the admin token) and a
// stop signal with --drain-seconds both make the edge tell steering and load balancers to go
// elsewhere while it keeps serving every viewer; a second signal stops it at once.
TEST(Edge, DrainsOnTheOperatorsLeverAndBeforeStopping) {
  const std::string dir = TempDir("edge-drain");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  const std::string init(5000, 'i');
  ASSERT_EQ(Put(origin.url(), "A", Seg("270p", "init"), init), 201);
  EdgeProcess edge(dir, {origin.url()}, {"--admin-token", "at", "--drain-seconds", "60"});
  ASSERT_GT(edge.port(), 0) << edge.log();
  auto state = [&] {
    return nlohmann::json::parse(Get(edge.url(), "/v1/edge/status").body).value("state", "");
  };
  const net::Headers admin = {{"Authorization", "Bearer at"}};
  EXPECT_EQ(state(), "healthy");
  EXPECT_EQ(Get(edge.url(), "/readyz").status, 200);

  EXPECT_EQ(Request(edge.url(), "POST", "/admin/drain").status, 401);
  EXPECT_EQ(Request(edge.url(), "POST", "/admin/drain", {{"Authorization", "Bearer x"}}).status,
            401);
  EXPECT_EQ(state(), "healthy");
  EXPECT_EQ(Request(edge.url(), "GET", "/admin/drain", admin).status, 405);

  net::Response drained = Request(edge.url(), "POST", "/admin/drain", admin);
  EXPECT_EQ(drained.status, 200);
  EXPECT_EQ(nlohmann::json::parse(drained.body).value("state", ""), "draining");
  EXPECT_EQ(state(), "draining");
  EXPECT_EQ(Get(edge.url(), "/readyz").status, 503);
  EXPECT_EQ(Metric(Get(edge.url(), "/metrics").body, "onair_edge_draining"), 1);
  EXPECT_TRUE(Get(edge.url(), Seg("270p", "init")).body == init);  // viewers still served

  EXPECT_EQ(Request(edge.url(), "DELETE", "/admin/drain", admin).status, 200);
  EXPECT_EQ(state(), "healthy");
  EXPECT_EQ(Get(edge.url(), "/readyz").status, 200);
  EXPECT_EQ(Metric(Get(edge.url(), "/metrics").body, "onair_edge_draining"), 0);

  // SIGTERM: draining, still serving, until the grace ends or a second signal.
  edge.process().Signal(SIGTERM);
  const auto until = steady_clock::now() + seconds(10);
  while (Get(edge.url(), "/readyz").status != 503 && steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(state(), "draining");
  EXPECT_TRUE(Get(edge.url(), Seg("270p", "init")).body == init);
  EXPECT_EQ(edge.process().Wait(0), -1) << "stopped before its grace";
  edge.process().Signal(SIGTERM);
  EXPECT_EQ(edge.process().Wait(10), 0) << edge.log();

  // Without an admin token the lever is off.
  EdgeProcess plain(dir, {origin.url()});
  ASSERT_GT(plain.port(), 0) << plain.log();
  EXPECT_EQ(Request(plain.url(), "POST", "/admin/drain", admin).status, 403);
  EXPECT_EQ(nlohmann::json::parse(Get(plain.url(), "/v1/edge/status").body).value("state", ""),
            "healthy");
}

// HTTPS with the demo CA: curl verifies the edge's certificate (for localhost and 127.0.0.1)
// with nothing but the CA file, and refuses it without.
TEST(Edge, HttpsWithTheDemoCertificateVerifies) {
  const std::string dir = TempDir("edge-tls");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  const std::string init(5000, 'i');  // any bytes: the one candidate is served
  ASSERT_EQ(Put(origin.url(), "A", Seg("270p", "init"), init), 201);
  EdgeProcess edge(dir, {origin.url()}, {"--tls-port", "0", "--tls-demo-dir", dir + "/tls"});
  ASSERT_GT(edge.port(), 0) << edge.log();
  const int tls_port = edge.PortAfter("listening on https://127.0.0.1:");
  ASSERT_GT(tls_port, 0) << edge.log();
  const std::string ca = dir + "/tls/ca.pem";
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    const std::string base = "https://" + host + ":" + std::to_string(tls_port);
    CommandResult health = RunCommand({"curl", "-sS", "--cacert", ca, base + "/healthz"}, 30);
    EXPECT_EQ(health.exit_code, 0) << health.err;
    EXPECT_EQ(nlohmann::json::parse(health.out, nullptr, false).value("status", ""), "ok")
        << health.out;
    CommandResult object = RunCommand(
        {"curl", "-sS", "--cacert", ca, "-o", dir + "/init-" + host, base + Seg("270p", "init")},
        30);
    EXPECT_EQ(object.exit_code, 0) << object.err;
    EXPECT_TRUE(ReadFile(dir + "/init-" + host) == init);
  }
  CommandResult untrusted =
      RunCommand({"curl", "-sS", "https://localhost:" + std::to_string(tls_port) + "/healthz"}, 30);
  EXPECT_EQ(untrusted.exit_code, 60) << "curl accepted a certificate it cannot verify";
}

}  // namespace
}  // namespace onair::test
