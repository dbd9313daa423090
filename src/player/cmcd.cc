#include "player/cmcd.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <vector>

namespace onair::player {
namespace {

int64_t RoundTo(int64_t v, int64_t step) { return (v + step / 2) / step * step; }

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string CmcdPayload(const Cmcd& c) {
  std::vector<std::string> kv;  // pushed in alphabetical order of keys
  if (c.buffer_ms >= 0) kv.push_back("bl=" + std::to_string(RoundTo(c.buffer_ms, 100)));
  if (c.bitrate_kbps > 0) kv.push_back("br=" + std::to_string(c.bitrate_kbps));
  if (c.buffer_starvation) kv.push_back("bs");
  if (!c.content_id.empty()) kv.push_back("cid=" + Quoted(c.content_id));
  if (c.duration_ms > 0) kv.push_back("d=" + std::to_string(c.duration_ms));
  if (c.deadline_ms >= 0) kv.push_back("dl=" + std::to_string(RoundTo(c.deadline_ms, 100)));
  if (c.throughput_kbps > 0) kv.push_back("mtp=" + std::to_string(RoundTo(c.throughput_kbps, 100)));
  if (!c.next_object.empty()) kv.push_back("nor=" + Quoted(PercentEncode(c.next_object)));
  if (c.object_type) kv.push_back(std::string("ot=") + c.object_type);
  if (std::abs(c.playback_rate - 1.0) > 1e-6) {
    char pr[32];
    std::snprintf(pr, sizeof(pr), "pr=%.2f", c.playback_rate);
    kv.emplace_back(pr);
  }
  kv.emplace_back("sf=d");
  if (!c.session_id.empty()) kv.push_back("sid=" + Quoted(c.session_id));
  kv.push_back(c.live ? "st=l" : "st=v");
  if (c.startup) kv.emplace_back("su");
  if (c.top_bitrate_kbps > 0) kv.push_back("tb=" + std::to_string(c.top_bitrate_kbps));
  std::string out;
  for (const std::string& s : kv) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string PercentEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string CmcdQuery(const Cmcd& c) { return "CMCD=" + PercentEncode(CmcdPayload(c)); }

}  // namespace onair::player
