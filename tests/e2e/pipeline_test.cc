// The pipeline end to end: the real `onair` binary encodes real video; ffprobe and ffmpeg,
// as real clients, check what it wrote.
#include <gtest/gtest.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <set>
#include <thread>

#include "e2e/pipeline_helpers.h"
#include "support/dash_schema.h"

namespace onair::test {
namespace {

constexpr int64_t kD = 2'000'000;  // segment duration in microseconds

// Frames of 1/fps at 90 kHz for the rates the tests use.
struct Rate {
  const char* text;
  int64_t num, den;
};

// Checks every segment of every video rendition against the epoch rule.
void ExpectEpochLocked(const std::string& out, const std::vector<std::string>& renditions,
                       Rate rate, const std::string& scratch) {
  const int64_t ast_us = 1767225600LL * 1000000;  // 2026-01-01T00:00:00Z
  std::map<int64_t, uint64_t> tfdt_by_number;
  for (const std::string& r : renditions) {
    auto log = SegmentLog(out, r);
    ASSERT_GE(log.size(), 2u) << r;
    for (const auto& seg : log) {
      const int64_t n = seg["number"];
      SCOPED_TRACE(r + " segment " + std::to_string(n));
      EXPECT_TRUE(seg["defects"].empty()) << seg.dump();
      const std::string bytes = ReadFile(out + "/" + r + "/" + std::to_string(n) + ".m4s");
      // tfdt: the decode time of the first frame at or after n*D, in the track timescale.
      const int64_t first_frame = static_cast<int64_t>(
          std::ceil(static_cast<long double>(n) * kD * rate.num / (1e6L * rate.den) - 1e-9L));
      const uint64_t expected_tfdt =
          static_cast<uint64_t>(first_frame * 90000LL * rate.den / rate.num);
      auto tfdts = Tfdts(bytes);
      ASSERT_FALSE(tfdts.empty());
      EXPECT_EQ(tfdts.front(), expected_tfdt);
      EXPECT_EQ(tfdt_by_number.emplace(n, tfdts.front()).first->second, tfdts.front())
          << "renditions not aligned";
      // prft in every fragment, carrying the capture UTC of its first frame (AST + media time).
      auto prft = PrftUtc(bytes);
      EXPECT_EQ(prft.size(), tfdts.size());
      ASSERT_FALSE(prft.empty());
      const int64_t capture = ast_us + static_cast<int64_t>(expected_tfdt * 1000000 / 90000);
      EXPECT_NEAR(static_cast<double>(prft.front()), static_cast<double>(capture), 1000.0);
      // Starts with an IDR and holds every frame of [n*D, (n+1)*D).
      Probe p = ProbeFile(JoinInit(out, r, n, scratch));
      EXPECT_EQ(p.errors, "");
      ASSERT_FALSE(p.packets.empty());
      EXPECT_TRUE(p.packets.front().key);
      const int64_t next_first = static_cast<int64_t>(
          std::ceil(static_cast<long double>(n + 1) * kD * rate.num / (1e6L * rate.den) - 1e-9L));
      EXPECT_EQ(static_cast<int64_t>(p.packets.size()), next_first - first_frame);
      // D long, within one frame.
      const double duration = static_cast<double>(seg["duration"].get<int64_t>()) / 90000.0;
      EXPECT_NEAR(duration, 2.0,
                  static_cast<double>(rate.den) / static_cast<double>(rate.num) + 1e-6);
      for (size_t k = 1; k < p.packets.size(); ++k)
        EXPECT_FALSE(p.packets[k].key) << "extra IDR at " << k;
    }
  }
}

TEST(Pipeline, SegmentsFollowTheEpochRule) {
  PipelineRun run = RunPipeline("epoch", "test:480x270@30", 4);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  ExpectEpochLocked(run.dir + "/out", {"270p", "136p"}, {"30", 30, 1}, run.dir);
  // Audio: its own CMAF track, cut at the first AAC frame at or after each boundary.
  auto audio = SegmentLog(run.dir + "/out", "audio");
  ASSERT_GE(audio.size(), 2u);
  for (const auto& seg : audio) {
    const int64_t n = seg["number"];
    const int64_t first = static_cast<int64_t>(std::ceil(n * 2.0 * 48000 / 1024 - 1e-9));
    EXPECT_EQ(seg["tfdt"].get<int64_t>(), first * 1024) << n;
    EXPECT_TRUE(seg["defects"].empty()) << seg.dump();
  }
}

// Without an AST the timeline counts from the Unix epoch: media times are large enough
// that every piece of timing arithmetic must stay exact far from zero.
TEST(Pipeline, TheDefaultAstAtTheUnixEpochGivesCleanSegments) {
  std::string ladder = SmallLadder();
  const std::string ast = R"("ast": "2026-01-01T00:00:00Z", )";
  ladder.erase(ladder.find(ast), ast.size());
  PipelineRun run = RunPipeline("epoch0", "test:480x270@30", 4, ladder);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  for (const std::string r : {"270p", "136p", "audio"}) {
    auto log = SegmentLog(run.dir + "/out", r);
    ASSERT_EQ(log.size(), 2u) << r;
    for (const auto& seg : log) {
      EXPECT_TRUE(seg["defects"].empty()) << r << " " << seg.dump();
      const int64_t n = seg["number"];
      const int64_t ts = seg["timescale"];
      // tfdt: the first frame (video) or AAC frame (audio) at or after n * D.
      const int64_t unit = r == "audio" ? 1024 : 3000;
      const int64_t boundary = n * 2 * ts;
      EXPECT_EQ(seg["tfdt"].get<int64_t>(), (boundary + unit - 1) / unit * unit) << r;
    }
  }
}

TEST(Pipeline, NonIntegerFrameRatesCutAtTheFirstFrameAfterTheBoundary) {
  PipelineRun run = RunPipeline("ntsc", "test:480x270@29.97", 4, SmallLadder("29.97"));
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  ExpectEpochLocked(run.dir + "/out", {"270p", "136p"}, {"29.97", 30000, 1001}, run.dir);
}

TEST(Pipeline, FiftyNineNinetyFourUsesAnExactTimescale) {
  const std::string ladder = R"({"ast": "2026-01-01T00:00:00Z", "frame_rate": "59.94", "ladder": [
    {"name": "v", "width": 320, "height": 180, "bitrate": 300000, "preset": "ultrafast"}]})";
  PipelineRun run = RunPipeline("5994", "test:320x180@59.94", 2, ladder);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  for (const auto& seg : SegmentLog(run.dir + "/out", "v")) {
    EXPECT_EQ(seg["timescale"].get<int64_t>(), 60000);
    const int64_t n = seg["number"];
    const int64_t first = static_cast<int64_t>(std::ceil(n * 2.0 * 60000 / 1001 - 1e-9));
    EXPECT_EQ(seg["tfdt"].get<int64_t>(), first * 1001);
    EXPECT_TRUE(seg["defects"].empty()) << seg.dump();
  }
}

TEST(Pipeline, FfmpegPlaysDashAndHlsAndTheMpdValidates) {
  PipelineRun run = RunPipeline("play", "test:480x270@25", 4, SmallLadder("25", "h265"));
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  const std::string out = run.dir + "/out";
  for (const std::string manifest : {"manifest.mpd", "master.m3u8"}) {
    CommandResult r = DecodeAll(out + "/" + manifest);
    EXPECT_EQ(r.exit_code, 0) << manifest << ": " << r.err;
    EXPECT_EQ(r.err, "") << manifest;
  }
  // The H.265 rung is signalled as hvc1 and decodes.
  const std::string mpd = ReadFile(out + "/manifest.mpd");
  EXPECT_NE(mpd.find("codecs=\"hvc1."), std::string::npos) << mpd;
  EXPECT_NE(mpd.find("codecs=\"avc1."), std::string::npos) << mpd;
  EXPECT_NE(mpd.find("codecs=\"mp4a.40.2\""), std::string::npos) << mpd;
  EXPECT_EQ(MpdSchemaErrors(mpd), "");
}

// Decodes the DASH output and measures the time from each white flash to its beep.
TEST(Pipeline, AudioAndVideoInSyncWithinOneFrame) {
  PipelineRun run = RunPipeline("avsync", "test:480x270@30", 4);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  const std::string mpd = run.dir + "/out/manifest.mpd";
  const std::string video = run.dir + "/v.gray", audio = run.dir + "/a.f32";
  CommandResult r = RunCommand({"ffmpeg", "-v",       "error", "-copyts", "-i",
                                mpd,      "-map",     "0:v:0", "-vf",     "scale=16:16,format=gray",
                                "-f",     "rawvideo", video,   "-map",    "0:a:0",
                                "-ac",    "1",        "-f",    "f32le",   audio});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Where each stream starts on the shared media timeline.
  CommandResult s = RunCommand({"ffprobe", "-v", "error", "-show_entries",
                                "stream=codec_type,start_time", "-of", "json", mpd});
  auto j = nlohmann::json::parse(s.out);
  double v0 = -1, a0 = -1;
  for (const auto& st : j["streams"]) {
    const double t = std::stod(st["start_time"].get<std::string>());
    if (st["codec_type"] == "video" && v0 < 0) v0 = t;
    if (st["codec_type"] == "audio" && a0 < 0) a0 = t;
  }
  ASSERT_GE(v0, 0);
  ASSERT_GE(a0, 0);
  std::vector<double> flashes, beeps;
  const std::string frames = ReadFile(video);
  for (size_t f = 0; f * 256 + 256 <= frames.size(); ++f) {
    double sum = 0;
    for (int k = 0; k < 256; ++k) sum += static_cast<uint8_t>(frames[f * 256 + k]);
    if (sum / 256 > 200) flashes.push_back(v0 + static_cast<double>(f) / 30.0);
  }
  const std::string pcm = ReadFile(audio);
  const auto* samples = reinterpret_cast<const float*>(pcm.data());
  const size_t count = pcm.size() / sizeof(float);
  bool in_beep = false;
  for (size_t k = 0; k < count; ++k) {
    const bool loud = std::fabs(samples[k]) > 0.3f;
    if (loud && !in_beep) beeps.push_back(a0 + static_cast<double>(k) / 48000.0);
    // A beep ends after 10 ms without a loud sample.
    if (loud)
      in_beep = true;
    else if (in_beep && k >= 480 && [&] {
               for (size_t b = k - 480; b < k; ++b)
                 if (std::fabs(samples[b]) > 0.3f) return false;
               return true;
             }())
      in_beep = false;
  }
  ASSERT_GE(flashes.size(), 3u);
  ASSERT_GE(beeps.size(), 3u);
  int matched = 0;
  for (double f : flashes) {
    double best = 1e9;
    for (double b : beeps) best = std::min(best, std::fabs(f - b));
    EXPECT_LE(best, 1.0 / 30.0 + 1e-3) << "flash at " << f << " has no beep within a frame";
    ++matched;
  }
  EXPECT_GE(matched, 3);
}

TEST(Pipeline, PipelinesStartedApartAreInterchangeable) {
  const std::string dir = TempDir("ab");
  WriteFile(dir + "/ladder.json", SmallLadder());
  std::filesystem::create_directories(dir + "/a");
  std::filesystem::create_directories(dir + "/b");
  Background a(
      PipelineArgs(dir + "/a", dir + "/ladder.json", "test:480x270@30", 10, {"--pipeline", "A"}),
      dir + "/a.log");
  std::this_thread::sleep_for(std::chrono::seconds(3));
  Background b(
      PipelineArgs(dir + "/b", dir + "/ladder.json", "test:480x270@30", 6, {"--pipeline", "B"}),
      dir + "/b.log");
  ASSERT_EQ(a.Wait(60), 0) << ReadFile(dir + "/a.log");
  ASSERT_EQ(b.Wait(60), 0) << ReadFile(dir + "/b.log");
  for (const std::string r : {"270p", "136p", "audio"}) {
    SCOPED_TRACE(r);
    const std::string ia = ReadFile(dir + "/a/out/" + r + "/init.mp4");
    const std::string ib = ReadFile(dir + "/b/out/" + r + "/init.mp4");
    ASSERT_FALSE(ia.empty());
    EXPECT_EQ(ia, ib) << "init segments differ";
    std::set<int64_t> na, nb;
    for (const auto& s : SegmentLog(dir + "/a/out", r)) na.insert(s["number"].get<int64_t>());
    for (const auto& s : SegmentLog(dir + "/b/out", r)) nb.insert(s["number"].get<int64_t>());
    std::vector<int64_t> both;
    for (int64_t n : nb)
      if (na.count(n)) both.push_back(n);
    ASSERT_GE(both.size(), 3u) << "A and B share too few segments";
    const int64_t n = both[0];
    auto seg = [&](const std::string& who, int64_t k) {
      return ReadFile(dir + "/" + who + "/out/" + r + "/" + std::to_string(k) + ".m4s");
    };
    const std::string mixed = dir + "/mixed-" + r + ".mp4";
    WriteFile(mixed, ia + seg("a", n) + seg("b", n + 1) + seg("a", n + 2));
    CommandResult dec = DecodeAll(mixed);
    EXPECT_EQ(dec.exit_code, 0) << dec.err;
    EXPECT_EQ(dec.err, "");
    Probe p = ProbeFile(mixed);
    ASSERT_GT(p.packets.size(), 10u);
    const int64_t step = r == "audio" ? 1024 : 3000;  // one AAC frame; one frame at 30 fps
    for (size_t k = 1; k < p.packets.size(); ++k) {
      ASSERT_EQ(p.packets[k].pts - p.packets[k - 1].pts, step) << "timestamp jump at packet " << k;
    }
  }
}

TEST(Pipeline, BadConfigGivesAClearErrorAndNoOutput) {
  const std::string dir = TempDir("badconfig");
  WriteFile(dir + "/ladder.json",
            R"({"ladder": [{"name": "x", "width": 641, "height": 360, "bitrate": 1}]})");
  CommandResult r = RunCommand(
      {OnairBinary(), "pipeline", "--ladder", dir + "/ladder.json", "--out", dir + "/out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("size must be even"), std::string::npos) << r.err;
  r = RunCommand(
      {OnairBinary(), "pipeline", "--ladder", dir + "/missing.json", "--out", dir + "/out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read event config"), std::string::npos) << r.err;
  r = RunCommand({OnairBinary(), "pipeline", "--source", "test:99x99", "--out", dir + "/out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("even"), std::string::npos) << r.err;
  r = RunCommand({OnairBinary(), "pipeline", "--ast", "tomorrow", "--out", dir + "/out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ISO 8601"), std::string::npos) << r.err;
  r = RunCommand({OnairBinary(), "pipeline"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nowhere to send"), std::string::npos) << r.err;
}

TEST(Pipeline, UnreachableSourceStillProducesSlateSegmentsOnSchedule) {
  const int port = FreeUdpPort();
  PipelineRun run =
      RunPipeline("nosource", "srt://127.0.0.1:" + std::to_string(port) + "?mode=caller", 4);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  auto log = SegmentLog(run.dir + "/out", "270p");
  ASSERT_EQ(log.size(), 2u);
  for (const auto& seg : log) {
    auto d = seg["defects"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(d.begin(), d.end(), "no-input"), d.end()) << seg.dump();
    EXPECT_NE(std::find(d.begin(), d.end(), "black"), d.end()) << seg.dump();
  }
  // The slate is real video that plays.
  CommandResult r = DecodeAll(run.dir + "/out/manifest.mpd");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Ctrl-C: the open segment is abandoned, everything finished stays, and the manifests
// become a static presentation of what was made; the exit code is 0.
TEST(Pipeline, CtrlCStopsCleanlyWithAStaticPresentation) {
  const std::string dir = TempDir("ctrlc");
  WriteFile(dir + "/ladder.json", SmallLadder());
  Background p({OnairBinary(), "pipeline", "--ladder", dir + "/ladder.json", "--source",
                "test:480x270@30", "--out", dir + "/out"},
               dir + "/log.txt");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until &&
         (!std::filesystem::exists(dir + "/out/audio/segments.jsonl") ||
          SegmentLog(dir + "/out", "audio").size() < 2)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  p.Signal(SIGINT);
  ASSERT_EQ(p.Wait(20), 0) << ReadFile(dir + "/log.txt");
  const std::string mpd = ReadFile(dir + "/out/manifest.mpd");
  EXPECT_NE(mpd.find("type=\"static\""), std::string::npos) << mpd;
  CommandResult r = DecodeAll(dir + "/out/manifest.mpd");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace onair::test
