#include "media/manifest.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/markup.h"

namespace onair::media {

namespace {

std::string Seconds(int64_t micros, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, static_cast<double>(micros) / 1e6);
  return buf;
}

bool HasAudio(const ManifestState& s) {
  return std::any_of(s.tracks.begin(), s.tracks.end(),
                     [](const TrackInfo& t) { return !t.is_video; });
}

const TrackInfo* FirstAudio(const ManifestState& s) {
  for (const TrackInfo& t : s.tracks) {
    if (!t.is_video) return &t;
  }
  return nullptr;
}

// The media time at the period start: n*D for live; the first listed segment's tfdt for
// a finished presentation, so it starts without an empty gap.
int64_t PresentationTimeOffset(const ManifestState& s, const TrackInfo& t, int64_t boundary) {
  if (s.live) return boundary;
  for (const SegmentEntry& e : t.segments) {
    if (e.number == s.first_number) return e.start_ticks;
  }
  return boundary;
}

}  // namespace

std::string XsDuration(int64_t micros) {
  const int64_t whole = micros / 1000000, frac = micros % 1000000;
  std::string s = "PT" + std::to_string(whole);
  if (frac) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    s += f;
  }
  return s + "S";
}

ManifestState LiveState(const EventConfig& c, UtcMicros now) {
  ManifestState s;
  s.live = true;
  s.ast = c.ast;
  s.segment_us = c.segment_us;
  s.chunk_us = c.chunk_us;
  s.publish_time = now;
  s.time_shift_buffer_us = c.window_us;
  return s;
}

TrackInfo TrackOf(const EventConfig& c, const RenditionConfig* rung, std::string codecs) {
  TrackInfo t;
  t.is_video = rung != nullptr;
  t.id = rung ? rung->name : c.audio.name;
  t.codecs = std::move(codecs);
  t.bandwidth = rung ? rung->bitrate : c.audio.bitrate;
  t.width = rung ? rung->width : 0;
  t.height = rung ? rung->height : 0;
  t.fps = c.frame_rate;
  t.sample_rate = c.audio.sample_rate;
  t.channels = c.audio.channels;
  t.timescale = rung ? ChooseVideoTimescale(c.frame_rate, c.segment_us) : c.audio.sample_rate;
  return t;
}

std::string WriteDashMpd(const ManifestState& s) {
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o << "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" "
       "profiles=\"urn:mpeg:dash:profile:isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019\"";
  if (s.live) {
    o << " type=\"dynamic\" availabilityStartTime=\"" << FormatUtc(s.ast) << "\" publishTime=\""
      << FormatUtc(s.publish_time) << "\"";
    if (s.minimum_update_period_us > 0) {
      o << " minimumUpdatePeriod=\"" << XsDuration(s.minimum_update_period_us) << "\"";
    }
    if (s.time_shift_buffer_us > 0) {
      o << " timeShiftBufferDepth=\"" << XsDuration(s.time_shift_buffer_us) << "\"";
    }
    o << " suggestedPresentationDelay=\"" << XsDuration(3 * s.segment_us / 2) << "\"";
  } else {
    o << " type=\"static\" mediaPresentationDuration=\""
      << XsDuration((s.last_number - s.first_number + 1) * s.segment_us) << "\"";
  }
  o << " minBufferTime=\"" << XsDuration(s.segment_us) << "\" maxSegmentDuration=\""
    << XsDuration(s.segment_us) << "\">\n";
  for (const BaseUrl& b : s.base_urls) {
    o << "  <BaseURL";
    if (!b.service_location.empty()) {
      o << " serviceLocation=\"" << MarkupEscape(b.service_location) << "\"";
    }
    o << ">" << MarkupEscape(b.url) << "</BaseURL>\n";
  }
  if (!s.steering_url.empty()) {
    // DASH-IF Content Steering; the schema edition in testdata/dash-schema predates it (see
    // its README: the test validates against that copy with this element added).
    o << "  <ContentSteering";
    if (!s.steering_default.empty()) {
      o << " defaultServiceLocation=\"" << MarkupEscape(s.steering_default) << "\"";
    }
    o << " queryBeforeStart=\"false\">" << MarkupEscape(s.steering_url) << "</ContentSteering>\n";
  }
  if (s.target_latency_us > 0) {
    o << "  <ServiceDescription id=\"0\">\n    <Latency referenceId=\"0\" target=\""
      << s.target_latency_us / 1000 << "\"/>\n  </ServiceDescription>\n";
  }
  // Live: segment n starts at period time n*D (startNumber 0), so any client maps the wall
  // clock to a number without reading a list. Static: the period starts at the first one.
  const int64_t start_number = s.live ? 0 : s.first_number;
  o << "  <Period id=\"0\" start=\"" << XsDuration(start_number * s.segment_us) << "\"";
  if (!s.live)
    o << " duration=\"" << XsDuration((s.last_number - s.first_number + 1) * s.segment_us) << "\"";
  o << ">\n";
  // One adaptation set per video codec family (avc1, hvc1, ...: a player switches
  // seamlessly only inside one), in the order the tracks list them; then the audio.
  std::vector<std::vector<const TrackInfo*>> sets;
  std::vector<std::string> families;
  for (const TrackInfo& t : s.tracks) {
    if (!t.is_video) continue;
    const std::string family = t.codecs.substr(0, 4);
    auto at = std::find(families.begin(), families.end(), family);
    if (at == families.end()) {
      families.push_back(family);
      sets.emplace_back();
      at = families.end() - 1;
    }
    sets[static_cast<size_t>(at - families.begin())].push_back(&t);
  }
  sets.emplace_back();
  for (const TrackInfo& t : s.tracks) {
    if (!t.is_video) sets.back().push_back(&t);
  }
  int set_id = 0;
  for (const std::vector<const TrackInfo*>& tracks : sets) {
    if (tracks.empty()) continue;
    const TrackInfo& first = *tracks.front();
    const bool video = first.is_video;
    o << "    <AdaptationSet id=\"" << set_id++ << "\" contentType=\""
      << (video ? "video" : "audio") << "\" mimeType=\"" << (video ? "video/mp4" : "audio/mp4")
      << "\" segmentAlignment=\"true\" startWithSAP=\"1\"";
    if (!video) o << " lang=\"und\"";
    o << ">\n";
    if (!video) {
      o << "      <AudioChannelConfiguration "
           "schemeIdUri=\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\" value=\""
        << first.channels << "\"/>\n";
    }
    // Every track of a set shares a timescale (the ladder shares a frame rate).
    const int64_t ts = first.timescale;
    const int64_t duration_ticks = s.segment_us * ts / 1000000;
    o << "      <SegmentTemplate timescale=\"" << ts << "\" duration=\"" << duration_ticks
      << "\" startNumber=\"" << start_number << "\" presentationTimeOffset=\""
      << PresentationTimeOffset(s, first, start_number * duration_ticks) << "\"";
    if (s.live && s.chunk_us > 0) {
      o << " availabilityTimeOffset=\"" << Seconds(s.segment_us - s.chunk_us, 3)
        << "\" availabilityTimeComplete=\"false\"";
    }
    o << " initialization=\"$RepresentationID$/init.mp4" << MarkupEscape(s.url_query)
      << "\" media=\"$RepresentationID$/$Number$.m4s" << MarkupEscape(s.url_query) << "\"";
    if (s.live) {
      o << "/>\n";
    } else {
      // A finished presentation lists its segments exactly (what clients like ffmpeg's
      // DASH reader need to stop at the last one), with the true durations.
      o << ">\n        <SegmentTimeline>\n";
      int64_t expected_t = -1;
      for (const SegmentEntry& e : first.segments) {
        if (e.number < s.first_number || e.number > s.last_number) continue;
        o << "          <S";
        if (e.start_ticks != expected_t) o << " t=\"" << e.start_ticks << "\"";
        o << " d=\"" << e.duration_ticks << "\"/>\n";
        expected_t = e.start_ticks + e.duration_ticks;
      }
      o << "        </SegmentTimeline>\n      </SegmentTemplate>\n";
    }
    for (const TrackInfo* t : tracks) {
      o << "      <Representation id=\"" << t->id << "\" codecs=\"" << t->codecs
        << "\" bandwidth=\"" << t->bandwidth << "\"";
      if (video) {
        o << " width=\"" << t->width << "\" height=\"" << t->height << "\" frameRate=\""
          << FormatFrameRate(t->fps) << "\" sar=\"1:1\"";
      } else {
        o << " audioSamplingRate=\"" << t->sample_rate << "\"";
      }
      o << "/>\n";
    }
    o << "    </AdaptationSet>\n";
  }
  o << "  </Period>\n";
  if (!s.utc_timing_url.empty()) {
    o << "  <UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:http-iso:2014\" value=\""
      << MarkupEscape(s.utc_timing_url) << "\"/>\n";
  }
  o << "</MPD>\n";
  return o.str();
}

std::string WriteHlsMultivariant(const ManifestState& s) {
  std::ostringstream o;
  o << "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  if (!s.steering_url.empty()) {
    o << "#EXT-X-CONTENT-STEERING:SERVER-URI=\"" << s.steering_url << "\"";
    if (!s.steering_default.empty()) o << ",PATHWAY-ID=\"" << s.steering_default << "\"";
    o << "\n";
  }
  const TrackInfo* audio = FirstAudio(s);
  // One pass per pathway; without base URLs, one with relative URIs and no PATHWAY-ID.
  std::vector<BaseUrl> pathways = s.base_urls;
  if (pathways.empty()) pathways.push_back({"", ""});
  for (const BaseUrl& path : pathways) {
    const std::string group =
        path.service_location.empty() ? "audio" : "audio-" + path.service_location;
    if (audio) {
      o << "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"" << group << "\",NAME=\"" << audio->id
        << "\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"" << audio->channels << "\",URI=\"" << path.url
        << audio->id << "/index.m3u8\"\n";
    }
    for (const TrackInfo& t : s.tracks) {
      if (!t.is_video) continue;
      const int64_t bandwidth = t.bandwidth + (audio ? audio->bandwidth : 0);
      char fps[32];
      std::snprintf(fps, sizeof fps, "%.3f", t.fps.ToDouble());
      o << "#EXT-X-STREAM-INF:BANDWIDTH=" << bandwidth << ",CODECS=\"" << t.codecs;
      if (audio) o << "," << audio->codecs;
      o << "\",RESOLUTION=" << t.width << "x" << t.height << ",FRAME-RATE=" << fps;
      if (audio) o << ",AUDIO=\"" << group << "\"";
      if (!path.service_location.empty()) o << ",PATHWAY-ID=\"" << path.service_location << "\"";
      o << "\n" << path.url << t.id << "/index.m3u8\n";
    }
  }
  if (!HasAudio(s) && s.tracks.empty()) o << "# no renditions yet\n";
  return o.str();
}

std::string WriteHlsMedia(const ManifestState& s, const TrackInfo& t) {
  int64_t longest = s.segment_us;
  for (const SegmentEntry& e : t.segments) longest = std::max(longest, e.duration_us);
  // EXTINF rounded to the nearest second must not exceed the target duration.
  const int64_t target = (longest + 500000) / 1000000;
  std::ostringstream o;
  o << "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:" << std::max<int64_t>(1, target) << "\n";
  const int64_t first = t.segments.empty() ? 0 : t.segments.front().number;
  o << "#EXT-X-MEDIA-SEQUENCE:" << first << "\n";
  if (!s.live) o << "#EXT-X-PLAYLIST-TYPE:EVENT\n";
  o << "#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"init.mp4" << s.url_query << "\"\n";
  int64_t prev = -1;
  for (const SegmentEntry& e : t.segments) {
    if (prev < 0 || e.number != prev + 1) {
      if (prev >= 0) o << "#EXT-X-DISCONTINUITY\n";
      o << "#EXT-X-PROGRAM-DATE-TIME:" << FormatUtc(s.ast + e.number * s.segment_us, true) << "\n";
    }
    o << "#EXTINF:" << Seconds(e.duration_us, 6) << ",\n"
      << e.number << ".m4s" << s.url_query << "\n";
    prev = e.number;
  }
  if (!s.live) o << "#EXT-X-ENDLIST\n";
  return o.str();
}

}  // namespace onair::media
