#include "media/fmp4.h"

#include <gtest/gtest.h>

namespace onair::media {
namespace {

std::string Be(uint64_t v, int n) {
  std::string s;
  for (int i = n - 1; i >= 0; --i) s += static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}
std::string Box(const std::string& type, const std::string& payload) {
  return Be(8 + payload.size(), 4) + type + payload;
}

std::string Init() {
  const std::string mdhd = Be(0, 4) + Be(0, 4) + Be(0, 4) + Be(90000, 4) + Be(0, 4) + Be(0, 4);
  const std::string trex = Be(0, 4) + Be(1, 4) + Be(1, 4) + Be(3000, 4) + Be(0, 4) + Be(0, 4);
  return Box("ftyp", "cmfc") +
         Box("moov", Box("trak", Box("mdia", Box("mdhd", mdhd))) + Box("mvex", Box("trex", trex)));
}

// prft (capture UTC at media_time) + moof (tfdt, trun of `samples`, durations from trex or
// per sample) + mdat.
std::string MakeChunk(uint64_t tfdt, int samples, bool per_sample_duration, uint64_t ntp,
                      uint64_t media_time) {
  const std::string prft = Be(0x01000000, 4) + Be(1, 4) + Be(ntp, 8) + Be(media_time, 8);
  std::string trun = Be(per_sample_duration ? 0x000301 : 0x000201, 4) + Be(samples, 4) + Be(0, 4);
  for (int i = 0; i < samples; ++i) {
    if (per_sample_duration) trun += Be(6000, 4);
    trun += Be(10, 4);
  }
  const std::string traf = Box("tfhd", Be(0x020000, 4) + Be(1, 4)) +
                           Box("tfdt", Be(0x01000000, 4) + Be(tfdt, 8)) + Box("trun", trun);
  return Box("prft", prft) + Box("moof", Box("mfhd", Be(0, 4) + Be(1, 4)) + Box("traf", traf)) +
         Box("mdat", std::string(10 * samples, 'x'));
}

constexpr uint64_t kNtpUnix = 2'208'988'800ull;

TEST(ReadInit, TimescaleAndDefaultDuration) {
  auto t = ReadInit(Init());
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->timescale, 90000u);
  EXPECT_EQ(t->default_sample_duration, 3000u);
  EXPECT_FALSE(ReadInit("garbage").ok());
  EXPECT_FALSE(ReadInit(Box("ftyp", "cmfc")).ok());
}

TEST(ChunkReader, HandsOutEachChunkWhenItsLastByteArrives) {
  const TrackTiming track = *ReadInit(Init());
  // Capture at 1.7e9 s + 0.5 s for media time 900000 (10 s).
  const uint64_t ntp = ((1'700'000'000ull + kNtpUnix) << 32) | 0x80000000u;
  const std::string segment = Box("styp", "cmfc") + MakeChunk(900000, 15, false, ntp, 900000) +
                              MakeChunk(945000, 15, true, ntp, 900000);
  ChunkReader reader(track);
  std::vector<Chunk> chunks;
  const size_t first_end = 12 + MakeChunk(900000, 15, false, ntp, 900000).size();
  for (size_t i = 0; i < segment.size(); ++i) {  // a byte at a time: the worst network
    ASSERT_TRUE(reader.Push(segment.substr(i, 1), &chunks).ok()) << i;
    if (i + 1 < first_end) {
      EXPECT_TRUE(chunks.empty()) << i;
    }
  }
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(reader.pending_bytes(), 0u);
  EXPECT_EQ(chunks[0].decode_time, 900000);
  EXPECT_EQ(chunks[0].duration, 15 * 3000);  // trex default
  EXPECT_EQ(chunks[0].samples, 15);
  EXPECT_EQ(chunks[1].duration, 15 * 6000);  // per sample
  ASSERT_TRUE(chunks[0].captured);
  EXPECT_EQ(*chunks[0].captured, 1'700'000'000'500'000);
  // The second chunk's first sample is 0.5 s after the prft's reference.
  EXPECT_EQ(*chunks[1].captured, 1'700'000'001'000'000);
  EXPECT_EQ(chunks[0].bytes.size() + chunks[1].bytes.size(), segment.size());  // styp in the first
}

// A virtual viewer's reader keeps no media: the same chunks at the same byte, the same
// timing and sizes, however the bytes are cut.
TEST(ChunkReader, WithoutTheMediaTheSameChunksAtTheSameByte) {
  const TrackTiming track = *ReadInit(Init());
  const uint64_t ntp = ((1'700'000'000ull + kNtpUnix) << 32) | 0x80000000u;
  const std::string segment = Box("styp", "cmfc") + MakeChunk(900000, 15, false, ntp, 900000) +
                              MakeChunk(945000, 15, true, ntp, 900000);
  for (size_t piece : {size_t{1}, size_t{7}, size_t{100}, segment.size()}) {
    ChunkReader full(track), timing(track, /*keep_media=*/false);
    std::vector<Chunk> a, b;
    for (size_t i = 0; i < segment.size(); i += piece) {
      const std::string_view bytes = std::string_view(segment).substr(i, piece);
      ASSERT_TRUE(full.Push(bytes, &a).ok());
      ASSERT_TRUE(timing.Push(bytes, &b).ok());
      ASSERT_EQ(a.size(), b.size()) << "piece " << piece << " at " << i;
      EXPECT_EQ(full.pending_bytes(), timing.pending_bytes()) << "piece " << piece << " at " << i;
    }
    ASSERT_EQ(b.size(), 2u);
    for (size_t k = 0; k < 2; ++k) {
      EXPECT_EQ(b[k].decode_time, a[k].decode_time);
      EXPECT_EQ(b[k].duration, a[k].duration);
      EXPECT_EQ(b[k].samples, a[k].samples);
      EXPECT_EQ(b[k].captured, a[k].captured);
      EXPECT_EQ(b[k].size, a[k].bytes.size());
      EXPECT_EQ(a[k].size, a[k].bytes.size());
      EXPECT_LT(b[k].bytes.size(), a[k].bytes.size());  // no mdat payload kept
    }
    EXPECT_EQ(timing.pending_bytes(), 0u);
  }
  // A free box after the last chunk (padding) leaves no chunk pending.
  for (bool keep : {true, false}) {
    ChunkReader padded(track, keep);
    std::vector<Chunk> c;
    ASSERT_TRUE(padded.Push(segment + Box("free", std::string(100, '\0')), &c).ok());
    EXPECT_EQ(c.size(), 2u);
    EXPECT_EQ(padded.pending_bytes(), 0u) << keep;
  }
  // A segment cut inside an mdat is not whole.
  ChunkReader timing(track, false);
  std::vector<Chunk> b;
  ASSERT_TRUE(timing.Push(segment.substr(0, segment.size() - 3), &b).ok());
  EXPECT_EQ(b.size(), 1u);
  EXPECT_GT(timing.pending_bytes(), 0u);
}

TEST(ChunkReader, SamplesWithDefaultSizesAndDurations) {
  // trun with no per-sample field (x264 in CBR makes samples of one size: tfhd says it).
  const std::string traf = Box("tfhd", Be(0x000018, 4) + Be(1, 4) + Be(3000, 4) + Be(100, 4)) +
                           Box("tfdt", Be(0, 4) + Be(90000, 4)) +
                           Box("trun", Be(0x000001, 4) + Be(15, 4) + Be(0, 4));
  std::vector<Chunk> out;
  ChunkReader reader(*ReadInit(Init()));
  ASSERT_TRUE(
      reader.Push(Box("moof", Box("traf", traf)) + Box("mdat", std::string(1500, 'x')), &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].samples, 15);
  EXPECT_EQ(out[0].duration, 15 * 3000);
  EXPECT_EQ(out[0].decode_time, 90000);
}

TEST(ChunkReader, RefusesWhatIsNotAMediaSegment) {
  const TrackTiming track = *ReadInit(Init());
  std::vector<Chunk> out;
  EXPECT_FALSE(ChunkReader(track).Push(Box("mdat", "xx"), &out).ok());  // mdat first
  EXPECT_FALSE(ChunkReader(track).Push(Box("moov", ""), &out).ok());
  EXPECT_FALSE(ChunkReader(track).Push(Be(3, 4) + "moof", &out).ok());         // size < header
  EXPECT_FALSE(ChunkReader(track).Push(Be(1u << 30, 4) + "mdat", &out).ok());  // 1 GiB
  // A trun that claims more samples than its bytes hold.
  const std::string traf = Box("tfhd", Be(0, 4) + Be(1, 4)) + Box("tfdt", Be(0, 4) + Be(0, 4)) +
                           Box("trun", Be(0x100, 4) + Be(1000, 4));
  EXPECT_FALSE(
      ChunkReader(track).Push(Box("moof", Box("traf", traf)) + Box("mdat", ""), &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(NtpToUtc, Epochs) {
  EXPECT_EQ(NtpToUtc(kNtpUnix << 32), 0);
  EXPECT_EQ(NtpToUtc(((kNtpUnix + 1) << 32) | 0x40000000u), 1'250'000);
}

}  // namespace
}  // namespace onair::media
