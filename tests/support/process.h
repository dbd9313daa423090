// Test support: run real programs (onair, ffmpeg, ffprobe) and read MP4 boxes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace onair::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs argv[0] with argv, waits at most timeout_s (then kills it: exit_code -9).
CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_s = 120);

// A program running in the background; killed (SIGKILL) when destroyed.
class Background {
 public:
  explicit Background(const std::vector<std::string>& argv, const std::string& log_path = "");
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  void Signal(int sig);
  // Waits for exit up to timeout_s; returns the exit code, or -1 if still running.
  int Wait(int timeout_s);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int code_ = -1;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& bytes);
// A fresh empty directory under the test temp dir.
std::string TempDir(const std::string& name);
// A free loopback port below the ephemeral range (for programs told a port to listen on).
int FreeUdpPort();
int FreeTcpPort();
// Waits (up to timeout_ms) until a local IPv4 socket of `type` (SOCK_STREAM: listening,
// SOCK_DGRAM: bound) holds `port`, as the kernel lists it in /proc/net. A program's listener
// is seen without connecting to it (a feed listener takes its first caller as its sender).
bool WaitUntilBound(int port, int type, int timeout_ms = 20'000);

// Paths of the binaries under test (set by CMake).
std::string OnairBinary();
std::string SourceDir();

// A minimal ISO BMFF walk: the boxes of a buffer, descending into containers.
struct Box {
  std::string type;
  size_t offset = 0;   // of the header
  size_t size = 0;     // whole box
  size_t payload = 0;  // offset of the payload
};
std::vector<Box> Boxes(const std::string& data, size_t begin = 0, size_t end = std::string::npos);
// Every box of `type`, anywhere (descends into moov/trak/mdia/minf/stbl/moof/traf/mvex).
std::vector<Box> FindAll(const std::string& data, const std::string& type);
uint64_t ReadBE(const std::string& data, size_t offset, int bytes);
// baseMediaDecodeTime of every tfdt in a segment, in order.
std::vector<uint64_t> Tfdts(const std::string& segment);
// The UTC (microseconds) of every prft box in a segment.
std::vector<int64_t> PrftUtc(const std::string& segment);

}  // namespace onair::test
