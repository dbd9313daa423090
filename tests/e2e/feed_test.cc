// Real feeds into the pipeline: the ffmpeg command line as the sender over SRT, RTMP and
// MPEG-TS/UDP, files (corrupt ones too), and a feed that goes away and comes back.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

#include "e2e/pipeline_helpers.h"

namespace onair::test {
namespace {

bool HasDefect(const nlohmann::json& seg, const std::string& d) {
  auto v = seg["defects"].get<std::vector<std::string>>();
  return std::find(v.begin(), v.end(), d) != v.end();
}

// ffmpeg encoding lavfi sources `video` and `audio` for `seconds` as H.264 + AAC in
// `format` to `out`, in real time when `realtime` (a live sender).
std::vector<std::string> Encode(const std::string& video, const std::string& audio, int seconds,
                                const std::string& format, const std::string& out, bool realtime) {
  std::vector<std::string> args = {"ffmpeg", "-v", "error"};
  if (realtime) args.push_back("-re");
  args.insert(args.end(),
              {"-f",          "lavfi",   "-i",      video,       "-f",
               "lavfi",       "-i",      audio,     "-t",        std::to_string(seconds),
               "-c:v",        "libx264", "-preset", "ultrafast", "-tune",
               "zerolatency", "-g",      "15",      "-pix_fmt",  "yuv420p",
               "-c:a",        "aac",     "-f",      format,      out});
  return args;
}

// ffmpeg sending a moving test pattern and a tone in real time to `url`.
std::vector<std::string> Sender(const std::string& format, const std::string& url, int seconds) {
  return Encode("testsrc2=s=320x180:r=30", "sine=f=440:r=48000", seconds, format, url, true);
}

// Starts the pipeline on `source`, then the sender, and checks that the feed's frames
// (not the slate) fill the last segments. A pipeline that listens (`listen_port` of socket
// type `listen_type`) is given its sender once it listens: the ffmpeg command line calls once
// and gives up (under sanitizers on a busy machine the pipeline's start-up takes seconds).
void ExpectFeedPlays(const std::string& name, const std::string& source, const std::string& format,
                     const std::string& send_url, int listen_port = 0, int listen_type = 0) {
  const std::string dir = TempDir(name);
  WriteFile(dir + "/ladder.json", SmallLadder());
  Background pipeline(PipelineArgs(dir, dir + "/ladder.json", source, 8), dir + "/pipeline.log");
  if (listen_port) {
    ASSERT_TRUE(WaitUntilBound(listen_port, listen_type)) << ReadFile(dir + "/pipeline.log");
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  Background sender(Sender(format, send_url, 30), dir + "/sender.log");
  ASSERT_EQ(pipeline.Wait(60), 0) << ReadFile(dir + "/pipeline.log");
  auto log = SegmentLog(dir + "/out", "270p");
  ASSERT_EQ(log.size(), 4u) << ReadFile(dir + "/pipeline.log");
  for (size_t k = 2; k < log.size(); ++k) {
    EXPECT_TRUE(log[k]["defects"].empty())
        << log[k].dump() << ReadFile(dir + "/pipeline.log") << ReadFile(dir + "/sender.log");
  }
  auto audio = SegmentLog(dir + "/out", "audio");
  ASSERT_EQ(audio.size(), 4u);
  EXPECT_TRUE(audio.back()["defects"].empty()) << audio.back().dump();
  CommandResult r = DecodeAll(dir + "/out/manifest.mpd");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(Feed, SrtListenerFedByTheFfmpegCommandLine) {
  const int port = FreeUdpPort();
  const std::string url = "srt://127.0.0.1:" + std::to_string(port);
  ExpectFeedPlays("srt", url + "?mode=listener", "mpegts", url + "?mode=caller", port, SOCK_DGRAM);
}

// The other direction: the sender listens, the pipeline calls (and keeps calling until the
// sender is up).
TEST(Feed, SrtCallerReachesAnFfmpegListener) {
  const int port = FreeUdpPort();
  const std::string url = "srt://127.0.0.1:" + std::to_string(port);
  ExpectFeedPlays("srtcaller", url + "?mode=caller", "mpegts", url + "?mode=listener");
}

TEST(Feed, RtmpListenFedByTheFfmpegCommandLine) {
  const int port = FreeTcpPort();
  const std::string url = "rtmp://127.0.0.1:" + std::to_string(port) + "/live/show";
  ExpectFeedPlays("rtmp", url, "flv", url, port, SOCK_STREAM);
}

TEST(Feed, UdpFeedLostAndBackKeepsTheTimelineGoing) {
  const int port = FreeUdpPort();
  const std::string url = "udp://127.0.0.1:" + std::to_string(port);
  const std::string dir = TempDir("udploss");
  WriteFile(dir + "/ladder.json", SmallLadder());
  Background pipeline(PipelineArgs(dir, dir + "/ladder.json", url, 14, {"--input-timeout", "0.3"}),
                      dir + "/pipeline.log");
  {
    Background first(Sender("mpegts", url + "?pkt_size=1316", 5), dir + "/sender1.log");
    first.Wait(20);
  }
  std::this_thread::sleep_for(std::chrono::seconds(4));
  Background second(Sender("mpegts", url + "?pkt_size=1316", 30), dir + "/sender2.log");
  ASSERT_EQ(pipeline.Wait(60), 0) << ReadFile(dir + "/pipeline.log");
  for (const std::string r : {"270p", "136p", "audio"}) {
    SCOPED_TRACE(r);
    auto log = SegmentLog(dir + "/out", r);
    ASSERT_EQ(log.size(), 7u) << ReadFile(dir + "/pipeline.log");
    for (size_t k = 1; k < log.size(); ++k) {
      EXPECT_EQ(log[k]["number"].get<int64_t>(), log[k - 1]["number"].get<int64_t>() + 1)
          << "a segment number went missing";
    }
    size_t lost = log.size(), back = log.size();
    for (size_t k = 0; k < log.size(); ++k) {
      if (HasDefect(log[k], "no-input") && lost == log.size()) lost = k;
      if (lost < k && !HasDefect(log[k], "no-input") && back == log.size()) back = k;
    }
    EXPECT_LT(lost, log.size()) << "the loss was not flagged";
    EXPECT_LT(back, log.size()) << "the feed's return was not picked up";
    EXPECT_FALSE(HasDefect(log.back(), "no-input"));
  }
  CommandResult r = DecodeAll(dir + "/out/manifest.mpd");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(Feed, CorruptFileGivesSegmentsNotACrash) {
  const std::string dir = TempDir("corrupt");
  const std::string file = dir + "/feed.ts";
  CommandResult made =
      RunCommand(Encode("testsrc2=s=320x180:r=30", "sine=f=440:r=48000", 3, "mpegts", file, false));
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::string bytes = ReadFile(file);
  std::mt19937 rng(7);
  for (size_t k = bytes.size() / 4; k < bytes.size() * 3 / 4; k += 997) {
    for (size_t j = 0; j < 64 && k + j < bytes.size(); ++j) bytes[k + j] = static_cast<char>(rng());
  }
  WriteFile(file, bytes);
  WriteFile(dir + "/ladder.json", SmallLadder());
  CommandResult r = RunCommand(PipelineArgs(dir, dir + "/ladder.json", file, 6), 60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string rendition : {"270p", "136p", "audio"}) {
    EXPECT_EQ(SegmentLog(dir + "/out", rendition).size(), 3u) << rendition;
  }
  CommandResult play = DecodeAll(dir + "/out/manifest.mpd");
  EXPECT_EQ(play.exit_code, 0) << play.err;
}

TEST(Feed, BlackSilentFeedIsFlagged) {
  const std::string dir = TempDir("black");
  const std::string file = dir + "/black.ts";
  CommandResult made = RunCommand(
      Encode("color=black:s=320x180:r=30", "anullsrc=r=48000:cl=stereo", 2, "mpegts", file, false));
  ASSERT_EQ(made.exit_code, 0) << made.err;
  WriteFile(dir + "/ladder.json", SmallLadder());
  CommandResult r = RunCommand(PipelineArgs(dir, dir + "/ladder.json", file, 4), 60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto video = SegmentLog(dir + "/out", "270p");
  ASSERT_EQ(video.size(), 2u);
  EXPECT_TRUE(HasDefect(video.back(), "black")) << video.back().dump();
  EXPECT_TRUE(HasDefect(video.back(), "frozen")) << video.back().dump();
  EXPECT_FALSE(HasDefect(video.back(), "no-input")) << video.back().dump();
  auto audio = SegmentLog(dir + "/out", "audio");
  ASSERT_EQ(audio.size(), 2u);
  EXPECT_TRUE(HasDefect(audio.back(), "silent")) << audio.back().dump();
}

}  // namespace
}  // namespace onair::test
