// Shared steps of the pipeline end-to-end tests: run `onair pipeline`, probe its output.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/process.h"

namespace onair::test {

// A two-rung ladder small enough to encode many times faster than real time.
inline std::string SmallLadder(const std::string& frame_rate = "30",
                               const std::string& codec2 = "h264") {
  return R"({"event": "e2e", "ast": "2026-01-01T00:00:00Z", "frame_rate": ")" + frame_rate +
         R"(", "ladder": [
    {"name": "270p", "width": 480, "height": 270, "bitrate": 500000, "preset": "ultrafast"},
    {"name": "136p", "codec": ")" +
         codec2 + R"(", "width": 240, "height": 136, "bitrate": 150000,
     "preset": "ultrafast", "scale_from": "above"}]})";
}

struct PipelineRun {
  std::string dir;
  CommandResult result;
};

inline std::vector<std::string> PipelineArgs(const std::string& dir, const std::string& ladder_path,
                                             const std::string& source, double duration,
                                             std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {
      OnairBinary(), "pipeline", "--ladder",   ladder_path,  "--source",
      source,        "--out",    dir + "/out", "--duration", std::to_string(duration)};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

inline PipelineRun RunPipeline(const std::string& name, const std::string& source, double duration,
                               const std::string& ladder = SmallLadder(),
                               std::vector<std::string> extra = {}) {
  PipelineRun run;
  run.dir = TempDir(name);
  WriteFile(run.dir + "/ladder.json", ladder);
  run.result = RunCommand(PipelineArgs(run.dir, run.dir + "/ladder.json", source, duration, extra),
                          static_cast<int>(duration) + 60);
  return run;
}

// ffmpeg as a real client decoding every stream of `input` (a manifest, a URL, a file).
inline CommandResult DecodeAll(const std::string& input, int timeout_s = 120) {
  return RunCommand({"ffmpeg", "-v", "error", "-i", input, "-map", "0", "-f", "null", "-"},
                    timeout_s);
}

// The lines of {rendition}/segments.jsonl.
inline std::vector<nlohmann::json> SegmentLog(const std::string& out,
                                              const std::string& rendition) {
  std::vector<nlohmann::json> lines;
  std::string text = ReadFile(out + "/" + rendition + "/segments.jsonl");
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    if (nl > pos) lines.push_back(nlohmann::json::parse(text.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  return lines;
}

// ffprobe's packets of the first stream of a file: pts, dts, duration, flags, time_base.
struct ProbedPacket {
  int64_t pts = 0;
  int64_t duration = 0;
  bool key = false;
};
struct Probe {
  std::vector<ProbedPacket> packets;
  int64_t tb_den = 0;
  std::string codec;
  std::string errors;
};

inline Probe ProbeFile(const std::string& path) {
  Probe p;
  CommandResult r =
      RunCommand({"ffprobe", "-v", "error", "-show_entries",
                  "stream=codec_name,time_base:packet=pts,duration,flags", "-of", "json", path});
  p.errors = r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded()) return p;
  if (j.contains("streams") && !j["streams"].empty()) {
    p.codec = j["streams"][0].value("codec_name", "");
    std::string tb = j["streams"][0].value("time_base", "1/1");
    p.tb_den = std::stoll(tb.substr(tb.find('/') + 1));
  }
  for (const auto& pk : j.value("packets", nlohmann::json::array())) {
    ProbedPacket pp;
    pp.pts = pk.contains("pts") ? pk["pts"].get<int64_t>() : 0;
    pp.duration = pk.contains("duration") ? pk["duration"].get<int64_t>() : 0;
    pp.key = pk.value("flags", "").find('K') != std::string::npos;
    p.packets.push_back(pp);
  }
  return p;
}

// init + segment n of a rendition, written to a file for ffprobe.
inline std::string JoinInit(const std::string& out, const std::string& rendition, int64_t n,
                            const std::string& scratch) {
  const std::string path = scratch + "/" + rendition + "-" + std::to_string(n) + ".mp4";
  WriteFile(path, ReadFile(out + "/" + rendition + "/init.mp4") +
                      ReadFile(out + "/" + rendition + "/" + std::to_string(n) + ".m4s"));
  return path;
}

}  // namespace onair::test
