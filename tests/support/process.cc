#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace onair::test {

namespace {

std::vector<char*> Argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const std::string& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

int WaitFor(pid_t pid, int timeout_s, bool* exited) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  while (true) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      *exited = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return -WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() > deadline) return -1000;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_s) {
  const std::string dir = std::filesystem::temp_directory_path();
  char out_path[] = "/tmp/onair-run-out-XXXXXX";
  char err_path[] = "/tmp/onair-run-err-XXXXXX";
  int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    auto args = Argv(argv);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  CommandResult r;
  bool exited = false;
  r.exit_code = WaitFor(pid, timeout_s, &exited);
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    r.exit_code = -9;
  }
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  unlink(out_path);
  unlink(err_path);
  return r;
}

Background::Background(const std::vector<std::string>& argv, const std::string& log_path) {
  pid_ = fork();
  if (pid_ == 0) {
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    int log =
        log_path.empty() ? devnull : open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log, 1);
    dup2(log, 2);
    auto args = Argv(argv);
    execvp(args[0], args.data());
    _exit(127);
  }
}

Background::~Background() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void Background::Signal(int sig) {
  if (pid_ > 0 && !exited_) kill(pid_, sig);
}

int Background::Wait(int timeout_s) {
  if (exited_) return code_;
  const int c = WaitFor(pid_, timeout_s, &exited_);
  if (exited_) code_ = c;
  return exited_ ? c : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string TempDir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string root = base ? base : std::filesystem::temp_directory_path().string();
  std::string dir = root + "/onair-" + name + "-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A port for a program that must be told one before it listens (a feed's listener). Taken
// below the kernel's ephemeral range, so that the outgoing connections and port-0 servers of
// tests running beside this one cannot take it between this check and the program's bind.
static int FreePort(int type) {
  int ephemeral_low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral_low;
  const int low = std::min(10000, ephemeral_low / 2);
  std::mt19937 rng(std::random_device{}() ^ static_cast<unsigned>(getpid()));
  std::uniform_int_distribution<int> pick(low, std::max(low, ephemeral_low - 1));
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int port = pick(rng);
    int fd = socket(AF_INET, type, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (free) return port;
  }
  throw std::runtime_error("no free port below the ephemeral range");
}

static bool Bound(int port, int type) {
  // Lines of /proc/net/{tcp,udp}: "sl local_address rem_address st ...", the address as
  // hex IP:PORT; st 0A is a TCP listener, 07 an unconnected UDP socket.
  std::ifstream table(type == SOCK_STREAM ? "/proc/net/tcp" : "/proc/net/udp");
  const char* wanted = type == SOCK_STREAM ? "0A" : "07";
  std::string line;
  std::getline(table, line);  // the heading
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string sl, local, remote, state;
    fields >> sl >> local >> remote >> state;
    const size_t colon = local.find(':');
    if (colon == std::string::npos || state != wanted) continue;
    if (std::stoi(local.substr(colon + 1), nullptr, 16) == port) return true;
  }
  return false;
}

bool WaitUntilBound(int port, int type, int timeout_ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!Bound(port, type)) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

int FreeUdpPort() { return FreePort(SOCK_DGRAM); }
int FreeTcpPort() { return FreePort(SOCK_STREAM); }

std::string OnairBinary() { return ONAIR_BINARY; }
std::string SourceDir() { return ONAIR_SOURCE_DIR; }

uint64_t ReadBE(const std::string& d, size_t offset, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(d[offset + i]);
  return v;
}

std::vector<Box> Boxes(const std::string& d, size_t begin, size_t end) {
  if (end == std::string::npos) end = d.size();
  std::vector<Box> out;
  size_t pos = begin;
  while (pos + 8 <= end) {
    uint64_t size = ReadBE(d, pos, 4);
    size_t header = 8;
    if (size == 1) {
      size = ReadBE(d, pos + 8, 8);
      header = 16;
    }
    if (size < header || pos + size > end) break;
    out.push_back({d.substr(pos + 4, 4), pos, static_cast<size_t>(size), pos + header});
    pos += size;
  }
  return out;
}

std::vector<Box> FindAll(const std::string& d, const std::string& type) {
  static const char* kContainers[] = {"moov", "trak", "mdia", "minf", "stbl",
                                      "moof", "traf", "mvex", "edts"};
  std::vector<Box> out;
  std::vector<std::pair<size_t, size_t>> ranges = {{0, d.size()}};
  while (!ranges.empty()) {
    auto [b, e] = ranges.back();
    ranges.pop_back();
    for (const Box& box : Boxes(d, b, e)) {
      if (box.type == type) out.push_back(box);
      for (const char* c : kContainers) {
        if (box.type == c) ranges.push_back({box.payload, box.offset + box.size});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Box& a, const Box& b) { return a.offset < b.offset; });
  return out;
}

std::vector<uint64_t> Tfdts(const std::string& segment) {
  std::vector<uint64_t> out;
  for (const Box& b : FindAll(segment, "tfdt")) {
    const int version = static_cast<uint8_t>(segment[b.payload]);
    out.push_back(ReadBE(segment, b.payload + 4, version == 1 ? 8 : 4));
  }
  return out;
}

std::vector<int64_t> PrftUtc(const std::string& segment) {
  std::vector<int64_t> out;
  for (const Box& b : FindAll(segment, "prft")) {
    // version(1) flags(3) reference_track_ID(4) ntp(8) media_time(4|8)
    const uint64_t ntp = ReadBE(segment, b.payload + 8, 8);
    const int64_t secs = static_cast<int64_t>(ntp >> 32) - 2208988800LL;
    const int64_t frac = static_cast<int64_t>(((ntp & 0xFFFFFFFFull) * 1000000ull) >> 32);
    out.push_back(secs * 1000000 + frac);
  }
  return out;
}

}  // namespace onair::test
